// A raw legacy HTTP+SSE client: GET /sse opens the session stream (answers arrive there), POST
// /messages?sessionId=… sends any bytes. Answers are recorded per id; every wait is bounded.
import type { Id, Message } from "./raw.ts";

export class SseClient {
  /** Where to POST, from the stream's `endpoint` event. */
  endpoint = "";
  readonly answers = new Map<Id | null, Message[]>();
  readonly incoming: Message[] = [];
  private readonly abort = new AbortController();
  private readonly waiters = new Set<() => void>();
  private nextId = 1;
  private ended = false;

  constructor(private readonly base: string) {}

  /** Opens the stream and waits for the endpoint event. */
  async open(): Promise<void> {
    const res = await fetch(`${this.base}/sse`, {
      headers: { accept: "text/event-stream" },
      signal: this.abort.signal,
    });
    if (!res.ok || !res.body) throw new Error(`GET /sse: HTTP ${res.status}`);
    void this.read(res.body.getReader());
    await this.until(() => this.endpoint, "the endpoint event");
  }

  id(): number {
    return this.nextId++;
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        for (let i = buffer.indexOf("\n\n"); i >= 0; i = buffer.indexOf("\n\n")) {
          this.event(buffer.slice(0, i));
          buffer = buffer.slice(i + 2);
        }
      }
    } catch {
      // Aborted by close().
    }
    this.ended = true;
    this.wake();
  }

  private event(text: string): void {
    const lines = text.split("\n");
    const event = lines
      .find((l) => l.startsWith("event:"))
      ?.slice(6)
      .trim();
    const data = lines
      .filter((l) => l.startsWith("data:"))
      .map((l) => l.slice(5).trimStart())
      .join("\n");
    if (event === "endpoint") this.endpoint = new URL(data, this.base).href;
    else if (data) {
      const value = JSON.parse(data) as Message | Message[];
      for (const m of Array.isArray(value) ? value : [value]) {
        if (m.method !== undefined) this.incoming.push(m);
        else {
          const list = this.answers.get(m.id ?? null) ?? [];
          list.push(m);
          this.answers.set(m.id ?? null, list);
        }
      }
    }
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  until<T>(check: () => T | undefined | false | "", what: string, timeout = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(test);
      };
      const test = () => {
        const v = check();
        if (v) {
          done();
          resolve(v);
        } else if (this.ended) {
          done();
          reject(new Error(`${what}: the SSE stream ended`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${what}: none within ${timeout} ms`));
      }, timeout);
      this.waiters.add(test);
      test();
    });
  }

  /** POSTs `body` to the session's endpoint (or `url`); the HTTP status and body text. */
  async post(
    body: string | Uint8Array,
    url = this.endpoint,
  ): Promise<{ status: number; text: string }> {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: body instanceof Uint8Array ? new Blob([new Uint8Array(body)]) : body,
    });
    return { status: res.status, text: await res.text() };
  }

  send(msg: Message): Promise<{ status: number; text: string }> {
    return this.post(JSON.stringify({ jsonrpc: "2.0", ...msg }));
  }

  /** The first answer to `id` on the stream. */
  response(id: Id | null, timeout?: number): Promise<Message> {
    return this.until(
      () => this.answers.get(id)?.[0],
      `an answer to ${JSON.stringify(id)}`,
      timeout,
    );
  }

  async request(method: string, params?: object): Promise<Message> {
    const id = this.id();
    await this.send(params === undefined ? { id, method } : { id, method, params: { ...params } });
    return this.response(id);
  }

  call(name: string, args: object = {}): Promise<Message> {
    return this.request("tools/call", { name, arguments: args });
  }

  async initialize(protocolVersion = "2024-11-05"): Promise<Message> {
    const res = await this.request("initialize", {
      protocolVersion,
      capabilities: {},
      clientInfo: { name: "reliability-sse", version: "1.0.0" },
    });
    await this.send({ method: "notifications/initialized" });
    return res;
  }

  close(): void {
    this.abort.abort();
  }
}
