/**
 * The input bridge: a legacy backend's own requests (sampling, elicitation, roots) made during a
 * modern client's call become an `input_required` answer; the client's retry carries the answers
 * back to the backend's waiting requests, and the call goes on. The call stays in flight here
 * between the client's requests; the client holds only a sealed handle to it.
 */
import { randomUUID } from "node:crypto";
import type { Outcome } from "../backend/types.ts";
import { seal } from "../era/seal.ts";
import { GatewayError } from "../errors.ts";
import type { Id, Params, RpcNotification, RpcResponse } from "../jsonrpc.ts";

/** How long a bridged call waits for the client's retry before it is cancelled. */
export const BRIDGE_TTL_MS = 5 * 60_000;

/** Where the bridge answers: the client request currently waiting on it. */
export interface Waiter {
  readonly id: Id;
  /** A notification related to the call (progress, a log line). */
  related(m: RpcNotification): void;
  answer(m: RpcResponse): void;
}

/** Puts a reply into the modern shape for the request `id` it answers. */
export type Shape = (reply: RpcResponse, id: Id) => RpcResponse;

/** What a retry must repeat of the request that opened the bridge. */
export interface Origin {
  method: string;
  /** The tool or prompt name, or the resource URI. */
  name: string;
  principal: string;
}

interface Ask {
  method: string;
  params: Params | undefined;
  resolve: (o: Outcome) => void;
}

/** The sealed handle a client gets: which bridge, and what it was opened for. */
export interface BridgeState {
  b: string;
  m: string;
  n: string;
}

export class Bridge {
  readonly id = randomUUID();
  private waiter?: Waiter;
  private readonly asks = new Map<string, Ask>();
  private next = 0;
  private final?: RpcResponse;
  private flushing = false;
  private timer?: Timer;
  private over = false;
  /** Cancels the backend call (set by whoever started it). */
  cancel: () => void = () => {};

  constructor(
    readonly origin: Origin,
    first: Waiter,
    private readonly shape: Shape,
    private readonly ended: (bridge: Bridge) => void,
  ) {
    this.waiter = first;
  }

  /** A backend request for the client: answered when the client retries with its response. */
  ask(method: string, params: Params | undefined, signal: AbortSignal): Promise<Outcome> {
    if (this.over)
      return Promise.resolve(new GatewayError("CLOSED", "the client's request has ended"));
    const key = `${method.split("/")[0]}-${++this.next}`;
    return new Promise((resolve) => {
      this.asks.set(key, { method, params, resolve });
      signal.addEventListener("abort", () => this.asks.delete(key), { once: true });
      this.flushSoon();
    });
  }

  /** A retry of the original request: its answers go to the backend, it waits for what follows. */
  attach(waiter: Waiter, responses: unknown): void {
    const given =
      typeof responses === "object" && responses !== null
        ? (responses as Record<string, unknown>)
        : {};
    for (const [key, ask] of [...this.asks])
      if (Object.hasOwn(given, key)) {
        this.asks.delete(key);
        const value = given[key];
        ask.resolve({
          jsonrpc: "2.0",
          id: 0,
          result:
            typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {},
        });
      }
    this.waiter = waiter;
    clearTimeout(this.timer);
    if (this.final) return this.finish(this.final);
    // Answers still missing: ask again rather than fail (the spec's SHOULD).
    if (this.asks.size > 0) this.flushSoon();
  }

  /** The backend call ended: the waiting request gets its answer, or the next retry will. */
  complete(reply: RpcResponse): void {
    if (this.over) return;
    if (this.waiter) this.finish(reply);
    else this.final = reply;
  }

  related(m: RpcNotification): void {
    this.waiter?.related(m);
  }

  /** The gateway is closing: the call is cancelled, nothing waits any more. */
  close(): void {
    this.waiter = undefined;
    this.end(true);
  }

  /** The waiting client request went away: its call is cancelled at the backend. */
  abandon(waiter: Waiter): void {
    if (this.waiter !== waiter) return;
    this.waiter = undefined;
    this.end(true);
  }

  private flushSoon(): void {
    if (this.flushing) return;
    this.flushing = true;
    // Requests a backend makes together (they may arrive in separate reads) are asked together.
    setTimeout(() => {
      this.flushing = false;
      const waiter = this.waiter;
      if (!waiter || this.asks.size === 0 || this.over) return;
      this.waiter = undefined;
      const inputRequests: Record<string, unknown> = {};
      for (const [key, ask] of this.asks)
        inputRequests[key] =
          ask.params === undefined
            ? { method: ask.method }
            : { method: ask.method, params: ask.params };
      const state: BridgeState = { b: this.id, m: this.origin.method, n: this.origin.name };
      waiter.answer({
        jsonrpc: "2.0",
        id: waiter.id,
        result: {
          resultType: "input_required",
          inputRequests,
          requestState: seal(state, this.origin.principal, BRIDGE_TTL_MS),
        },
      });
      this.timer = setTimeout(() => this.end(true), BRIDGE_TTL_MS);
    }, 0);
  }

  private finish(reply: RpcResponse): void {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = undefined;
    waiter.answer(this.shape(reply, waiter.id));
    this.end(false);
  }

  private end(cancel: boolean): void {
    if (this.over) return;
    this.over = true;
    clearTimeout(this.timer);
    const gone = new GatewayError("CLOSED", "the client did not answer");
    for (const ask of this.asks.values()) ask.resolve(gone);
    this.asks.clear();
    if (cancel && !this.final) this.cancel();
    this.ended(this);
  }
}
