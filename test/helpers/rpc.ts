// A tiny raw JSON-RPC line client over a spawned process, for tests that must see the wire
// itself (exact messages, junk lines, ordering) rather than what an SDK client makes of it. It
// plays the client: answers the process's requests and hands notifications to handlers.
import { LineProcess, type LineProcessOptions } from "./line-process.ts";

export type Id = string | number;
export interface RpcMessage {
  jsonrpc?: string;
  id?: Id | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

export interface SpawnRpcOptions extends Pick<LineProcessOptions, "env" | "cwd" | "detached"> {
  /** Bound on every request and wait, in ms. */
  timeout?: number;
}

type RequestHandler = (
  method: string,
  params: Record<string, unknown> | undefined,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface RpcProcess {
  pid: number;
  /** Exit code, or null when killed by a signal. */
  exited: Promise<number | null>;
  /** Every JSON message read from stdout, in order. */
  messages: RpcMessage[];
  /** stdout lines that were not JSON. */
  junk: string[];
  /** Resolves with the whole response (result or error); rejects on timeout or exit. */
  request(method: string, params?: object, timeout?: number): Promise<RpcMessage>;
  notify(method: string, params?: object): void;
  /** Writes one raw line, as is (for malformed input). */
  writeLine(line: string): void;
  onNotification(handler: (msg: RpcMessage) => void): void;
  /** Answers the process's requests; a throw becomes a JSON-RPC error. Default: -32601. */
  onRequest(handler: RequestHandler): void;
  /** The first message (seen so far or later) that matches; bounded. */
  waitForMessage(match: (msg: RpcMessage) => boolean, timeout?: number): Promise<RpcMessage>;
  stderrText(): string;
  /** Closes stdin (the polite stop). */
  close(): void;
  kill(signal?: NodeJS.Signals): void;
}

export function spawnRpc(cmd: string, args: string[] = [], opts: SpawnRpcOptions = {}): RpcProcess {
  const bound = opts.timeout ?? 10_000;
  const messages: RpcMessage[] = [];
  const junk: string[] = [];
  const waiters = new Set<(msg: RpcMessage) => void>();
  const pending = new Map<Id, (msg: RpcMessage) => void>();
  const notificationHandlers: ((msg: RpcMessage) => void)[] = [];
  let requestHandler: RequestHandler | undefined;
  let exitedCode: number | null | undefined;
  let nextId = 1;

  const send = (msg: RpcMessage) => proc.writeLine(JSON.stringify({ jsonrpc: "2.0", ...msg }));

  const answer = async (msg: RpcMessage & { id: Id; method: string }) => {
    try {
      if (!requestHandler) throw Object.assign(new Error("Method not found"), { code: -32601 });
      send({ id: msg.id, result: await requestHandler(msg.method, msg.params) });
    } catch (e) {
      const code = typeof e === "object" && e && "code" in e ? Number(e.code) : -32603;
      send({ id: msg.id, error: { code, message: e instanceof Error ? e.message : String(e) } });
    }
  };

  const dispatch = (msg: RpcMessage) => {
    messages.push(msg);
    for (const w of waiters) w(msg);
    const { id, method } = msg;
    if (method === undefined && id !== undefined && id !== null) pending.get(id)?.(msg);
    else if (method !== undefined && id !== undefined && id !== null)
      void answer({ ...msg, id, method });
    else if (method !== undefined) for (const h of notificationHandlers) h(msg);
  };

  const onLine = (line: string) => {
    try {
      dispatch(JSON.parse(line) as RpcMessage);
    } catch {
      junk.push(line);
    }
  };
  const proc = new LineProcess([cmd, ...args], {
    env: opts.env,
    cwd: opts.cwd,
    detached: opts.detached,
    onLine,
  });
  const stderrTail = () => proc.stderrText().slice(-500);

  const exited = proc.exited.then(() => {
    exitedCode = proc.exitCode();
    return exitedCode;
  });
  const exitNote = () => `process ${proc.pid} exited (code ${exitedCode}); stderr: ${stderrTail()}`;

  /** Settles with `take`'s value, or rejects on timeout or process exit. */
  const bounded = <T>(what: string, ms: number, take: (done: (v: T) => void) => () => void) =>
    new Promise<T>((resolve, reject) => {
      let release = () => {};
      const timer = setTimeout(() => {
        release();
        reject(new Error(`${what}: no answer within ${ms} ms; stderr: ${stderrTail()}`));
      }, ms);
      release = take((v) => {
        clearTimeout(timer);
        release();
        resolve(v);
      });
      void exited.then(() => {
        // Let the last stdout lines arrive before deciding the answer never came.
        setTimeout(() => {
          clearTimeout(timer);
          release();
          reject(new Error(`${what}: ${exitNote()}`));
        }, 100);
      });
    });

  return {
    pid: proc.pid,
    exited,
    messages,
    junk,
    request(method, params, timeout = bound) {
      const id = nextId++;
      return bounded<RpcMessage>(`request ${method} (id ${id})`, timeout, (done) => {
        pending.set(id, done);
        send(params === undefined ? { id, method } : { id, method, params: { ...params } });
        return () => pending.delete(id);
      });
    },
    notify(method, params) {
      send(params === undefined ? { method } : { method, params: { ...params } });
    },
    writeLine: (line) => proc.writeLine(line),
    onNotification(handler) {
      notificationHandlers.push(handler);
    },
    onRequest(handler) {
      requestHandler = handler;
    },
    waitForMessage(match, timeout = bound) {
      return bounded<RpcMessage>("waitForMessage", timeout, (done) => {
        const seen = messages.find(match);
        if (seen) queueMicrotask(() => done(seen));
        const w = (msg: RpcMessage) => match(msg) && done(msg);
        waiters.add(w);
        return () => waiters.delete(w);
      });
    },
    stderrText: () => proc.stderrText(),
    close: () => proc.close(),
    kill: (signal) => proc.kill(signal),
  };
}

/** Sends initialize (+ initialized) and returns the initialize response. */
export async function initialize(
  rpc: RpcProcess,
  protocolVersion = "2025-11-25",
  timeout?: number,
) {
  const params = {
    protocolVersion,
    capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } },
    clientInfo: { name: "raw-test-client", version: "1.0.0" },
  };
  const res = await rpc.request("initialize", params, timeout);
  rpc.notify("notifications/initialized");
  return res;
}
