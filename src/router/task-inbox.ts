/**
 * A modern client's task on a legacy backend has no live client to ask: the backend's requests
 * for it (an elicitation, delivered while the gateway waits in tasks/result) wait here until the
 * client polls tasks/get, which lists them as `inputRequests`, and answers with tasks/update.
 * It plays the client toward the backend, with the capabilities the creating request declared.
 */
import type { Lane } from "../backend/lane.ts";
import type { Caller, Outcome, RelayedCapability } from "../backend/types.ts";
import { GatewayError } from "../errors.ts";
import type { Params } from "../jsonrpc.ts";
import { isObject, type Json, withRelatedTask } from "./task-shapes.ts";

interface Ask {
  method: string;
  params: Params | undefined;
  resolve: (o: Outcome) => void;
}

export class TaskInbox implements Caller {
  readonly label: string;
  private readonly asks = new Map<string, Ask>();
  private next = 0;
  private wakers: (() => void)[] = [];
  private result?: Promise<Outcome>;

  constructor(
    taskId: string,
    readonly capabilities: Record<string, unknown>,
  ) {
    this.label = `task ${taskId}`;
  }

  /** Progress and log lines of a task have no channel to a modern client (the extension's rule). */
  notify(): void {}

  can(capability: RelayedCapability): boolean {
    const c = this.capabilities[capability];
    return c !== undefined && c !== null;
  }

  /** A backend request for the client: answered by a tasks/update naming its key. */
  request(method: string, params: Params | undefined, signal: AbortSignal): Promise<Outcome> {
    // Keys are unique over the task's life: an answer can never land on a later request.
    const key = `${method.split("/")[0]}-${++this.next}`;
    return new Promise((resolve) => {
      this.asks.set(key, { method, params: params && withRelatedTask(params, undefined), resolve });
      signal.addEventListener("abort", () => this.asks.delete(key), { once: true });
      this.wake();
    });
  }

  /** What the backend waits for, as a task's `inputRequests`. */
  requests(): Json {
    const out: Json = {};
    for (const [key, { method, params }] of this.asks)
      out[key] = params === undefined ? { method } : { method, params };
    return out;
  }

  /** tasks/update: answers for keys still open reach the backend; others are ignored. */
  answer(responses: unknown): void {
    if (!isObject(responses)) return;
    for (const [key, ask] of [...this.asks])
      if (Object.hasOwn(responses, key)) {
        this.asks.delete(key);
        const value = responses[key];
        ask.resolve({ jsonrpc: "2.0", id: 0, result: isObject(value) ? value : {} });
      }
  }

  /**
   * The backend's tasks/result, asked once (it blocks until the task ends, and the backend sends
   * its requests for the task meanwhile); asked again after a call_timeout cut it short.
   */
  fetch(server: Lane, backendId: string): Promise<Outcome> {
    this.result ??= new Promise((resolve) => {
      server.forward("tasks/result", { taskId: backendId }, this, (o) => {
        if (o instanceof GatewayError && o.code === "CALL_TIMEOUT") this.result = undefined;
        resolve(o);
        this.wake();
      });
    });
    return this.result;
  }

  /** Resolves once a request waits for the client, the result is in, or `ms` have passed. */
  settle(ms: number): Promise<void> {
    if (this.asks.size > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakers.push(done);
    });
  }

  /** The task is over: nothing it asked will be answered. */
  close(): void {
    const gone = new GatewayError("CLOSED", `${this.label} has ended`);
    for (const ask of this.asks.values()) ask.resolve(gone);
    this.asks.clear();
    this.wake();
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }
}
