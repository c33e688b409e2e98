// A raw newline-delimited JSON-RPC client over a spawned process that can also write arbitrary
// bytes (invalid UTF-8, half messages, huge lines) and counts every response per id, so tests can
// prove each request was answered exactly once. Every wait is bounded.
import type { Id, RpcMessage } from "../helpers/rpc.ts";

export type { Id };
export type Message = RpcMessage;

export interface RawOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Default bound on requests and waits, in ms. */
  timeout?: number;
}

export class RawClient {
  readonly pid: number;
  readonly exited: Promise<number | null>;
  /** Every JSON value read from stdout, in order (batch answers are arrays). */
  readonly received: (Message | Message[])[] = [];
  /** stdout lines that were not JSON: there must be none. */
  readonly junk: string[] = [];
  /** Responses seen per id (a batch answer counts each of its items). */
  readonly answers = new Map<Id | null, Message[]>();
  private readonly proc: Bun.Subprocess<"pipe", "pipe", "pipe">;
  private readonly waiters = new Set<() => void>();
  private stderr = "";
  private done = false;
  private nextId = 1;
  private readonly bound: number;

  constructor(cmd: string[], opts: RawOptions = {}) {
    this.bound = opts.timeout ?? 15_000;
    this.proc = Bun.spawn(cmd, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    this.pid = this.proc.pid;
    this.exited = this.proc.exited.then((code) => {
      this.done = true;
      this.wake();
      return code;
    });
    void this.readStdout();
    void this.readStderr();
  }

  stderrText(): string {
    return this.stderr;
  }

  /** Messages (batch answers flattened) in the order they came. */
  messages(): Message[] {
    return this.received.flat();
  }

  write(data: string | Uint8Array): void {
    try {
      this.proc.stdin.write(data);
      this.proc.stdin.flush();
    } catch {
      // The process is gone; waits fail through `exited`.
    }
  }

  writeLine(line: string | Uint8Array): void {
    this.write(typeof line === "string" ? `${line}\n` : new Uint8Array([...line, 0x0a]));
  }

  send(msg: Message): void {
    this.writeLine(JSON.stringify({ jsonrpc: "2.0", ...msg }));
  }

  /** A fresh id that no test-chosen id (strings) collides with. */
  id(): number {
    return this.nextId++;
  }

  async request(method: string, params?: object, timeout = this.bound): Promise<Message> {
    const id = this.id();
    this.send(params === undefined ? { id, method } : { id, method, params: { ...params } });
    return this.response(id, timeout);
  }

  call(name: string, args: object = {}, timeout?: number): Promise<Message> {
    return this.request("tools/call", { name, arguments: args }, timeout);
  }

  notify(method: string, params?: object): void {
    this.send(params === undefined ? { method } : { method, params: { ...params } });
  }

  /** The first response to `id`, waiting up to `timeout` ms. */
  response(id: Id | null, timeout = this.bound): Promise<Message> {
    return this.until(
      () => this.answers.get(id)?.[0],
      `a response to id ${JSON.stringify(id)}`,
      timeout,
    );
  }

  /** Resolves with `check`'s first truthy value; rejects on timeout or process exit. */
  until<T>(check: () => T | undefined | false, what: string, timeout = this.bound): Promise<T> {
    return new Promise((resolve, reject) => {
      const test = (): boolean => {
        const v = check();
        if (v) {
          finish();
          resolve(v);
          return true;
        }
        if (this.done) {
          finish();
          reject(
            new Error(`${what}: process ${this.pid} exited; stderr: ${this.stderr.slice(-800)}`),
          );
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${what}: none within ${timeout} ms; stderr: ${this.stderr.slice(-800)}`));
      }, timeout);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = () => void test();
      if (!test()) this.waiters.add(waiter);
    });
  }

  close(): void {
    try {
      void this.proc.stdin.end();
    } catch {
      // Already closed.
    }
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    try {
      this.proc.kill(signal);
    } catch {
      // Already gone.
    }
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    let value: Message | Message[];
    try {
      value = JSON.parse(line);
    } catch {
      this.junk.push(line.slice(0, 500));
      return;
    }
    this.received.push(value);
    for (const m of Array.isArray(value) ? value : [value]) {
      if (m.method !== undefined || !("id" in m)) continue;
      const id = m.id ?? null;
      const list = this.answers.get(id) ?? [];
      list.push(m);
      this.answers.set(id, list);
    }
    this.wake();
  }

  private async readStdout(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of this.proc.stdout) {
      // Only the new text is searched, so a many-megabyte answer costs one pass, not one per chunk.
      const text = decoder.decode(chunk, { stream: true });
      let i = text.indexOf("\n");
      if (i < 0) {
        buffer += text;
        continue;
      }
      this.onLine(buffer + text.slice(0, i));
      let start = i + 1;
      for (i = text.indexOf("\n", start); i >= 0; i = text.indexOf("\n", start)) {
        this.onLine(text.slice(start, i));
        start = i + 1;
      }
      buffer = text.slice(start);
    }
    this.onLine(buffer);
  }

  private async readStderr(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of this.proc.stderr) {
      // Bounded: a test that floods stderr must not fill the test runner's memory.
      this.stderr = (this.stderr + decoder.decode(chunk, { stream: true })).slice(-2_000_000);
      this.wake();
    }
  }
}

/** initialize + notifications/initialized; returns the initialize response. */
export async function initialize(c: RawClient, protocolVersion = "2025-11-25"): Promise<Message> {
  const res = await c.request("initialize", {
    protocolVersion,
    capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } },
    clientInfo: { name: "reliability-test", version: "1.0.0" },
  });
  c.notify("notifications/initialized");
  return res;
}
