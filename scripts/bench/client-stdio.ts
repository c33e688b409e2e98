// Raw newline-delimited JSON-RPC over a child's stdin/stdout. Writes made in the same tick go out
// in one flush, so 32 requests in flight cost the client one syscall per batch, not per call.
import type { FileSink } from "bun";
import {
  type Client,
  isServerRequest,
  type Message,
  Pending,
  replyTo,
  type Template,
} from "./rpc.ts";

export class StdioClient implements Client {
  private readonly pending = new Pending();
  private out = "";
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly stdin: FileSink,
    stdout: ReadableStream<Uint8Array>,
  ) {
    this.read(stdout).catch(() => {});
  }

  call(t: Template): Promise<Message> {
    if (this.closed) return Promise.reject(new Error("stdout closed"));
    const [id, p] = this.pending.add();
    this.write(`${t.head}${id}${t.tail}\n`);
    return p;
  }

  async notify(body: string): Promise<void> {
    this.write(`${body}\n`);
  }

  async close(): Promise<void> {
    this.closed = true;
    try {
      this.stdin.end();
    } catch {
      // already closed
    }
  }

  private write(line: string): void {
    this.out += line;
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      const text = this.out;
      this.out = "";
      try {
        this.stdin.write(text);
        this.stdin.flush();
      } catch (e) {
        this.pending.failAll(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  private async read(stdout: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let parts: string[] = [];
    try {
      for await (const chunk of stdout) {
        const text = decoder.decode(chunk, { stream: true });
        let start = 0;
        for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
          parts.push(text.slice(start, nl));
          start = nl + 1;
          const line = parts.length === 1 ? (parts[0] ?? "") : parts.join("");
          parts = [];
          if (line.trim()) this.dispatch(line);
        }
        if (start < text.length) parts.push(text.slice(start));
      }
    } finally {
      this.closed = true;
      this.pending.failAll(new Error("the process closed its stdout"));
    }
  }

  private dispatch(line: string): void {
    let msg: Message;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // not protocol (a server that logs to stdout); the figures do not depend on it
    }
    if (isServerRequest(msg)) this.write(`${replyTo(msg)}\n`);
    else this.pending.settle(msg);
  }
}
