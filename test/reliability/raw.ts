// A raw newline-delimited JSON-RPC client over a spawned process that can also write arbitrary
// bytes (invalid UTF-8, half messages, huge lines) and counts every response per id, so tests can
// prove each request was answered exactly once. Every wait is bounded. It shares the process and
// line plumbing with rpc.ts's spawnRpc (line-process.ts) but not its protocol side: spawnRpc plays
// an MCP client (answers the process's requests, one message per line); this one answers nothing
// and keeps batch answers whole.
import { LineProcess, type LineProcessOptions } from "../helpers/line-process.ts";
import type { Id, RpcMessage } from "../helpers/rpc.ts";

export type { Id };
export type Message = RpcMessage;

export interface RawOptions extends Pick<LineProcessOptions, "env" | "cwd"> {
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
  private readonly proc: LineProcess;
  private readonly waiters = new Set<() => void>();
  private done = false;
  private nextId = 1;
  private readonly bound: number;

  constructor(cmd: string[], opts: RawOptions = {}) {
    this.bound = opts.timeout ?? 15_000;
    this.proc = new LineProcess(cmd, {
      env: opts.env,
      cwd: opts.cwd,
      onLine: (line) => this.onLine(line),
      onStderr: () => this.wake(),
    });
    this.pid = this.proc.pid;
    this.exited = this.proc.exited.then((code) => {
      this.done = true;
      this.wake();
      return code;
    });
  }

  /** The last 2 MB of stderr (a test that floods it must not fill the runner's memory). */
  stderrText(): string {
    return this.proc.stderrText();
  }

  /** Messages (batch answers flattened) in the order they came. */
  messages(): Message[] {
    return this.received.flat();
  }

  write(data: string | Uint8Array): void {
    this.proc.write(data);
  }

  writeLine(line: string | Uint8Array): void {
    this.proc.writeLine(line);
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
          reject(new Error(`${what}: process ${this.pid} exited; stderr: ${this.stderrTail()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${what}: none within ${timeout} ms; stderr: ${this.stderrTail()}`));
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
    this.proc.close();
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    this.proc.kill(signal);
  }

  private stderrTail(): string {
    return this.proc.stderrText().slice(-800);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private onLine(line: string): void {
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
