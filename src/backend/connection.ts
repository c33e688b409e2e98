import { errorMessage, GatewayError } from "../errors.ts";
import {
  type Id,
  type Params,
  RpcError,
  type RpcErrorObject,
  type RpcMessage,
  type RpcNotification,
  type RpcRequest,
  type RpcResponse,
} from "../jsonrpc.ts";
import type { Channel } from "./channel.ts";
import { envelop } from "./envelope.ts";

/** What a forwarded request ends with: the backend's response as it came, or the gateway's own error. */
export type Outcome = RpcResponse | GatewayError;
export type OutcomeHandler = (outcome: Outcome) => void;

export interface ConnectionHandlers {
  onNotification(message: RpcNotification): void;
  onRequest(message: RpcRequest): void;
  onClose(reason: string): void;
}

/**
 * JSON-RPC over a Channel, gateway side. Requests get this connection's own
 * integer ids; the caller keeps the mapping back to its client's id. Responses
 * are handed over untouched (the object that was parsed), which keeps the
 * forwarding path to one parse and one stringify per hop.
 */
/** What a modern backend is told of the client a request comes from. */
export interface Asker {
  readonly capabilities: Record<string, unknown>;
  readonly logLevel?: string;
}

export class Connection {
  /** The modern protocol version this connection speaks; undefined for a legacy (initialized) one. */
  modernVersion?: string;
  /** Extra HTTP headers for a request: a modern remote backend's Mcp-Param mirrors. */
  headersFor?: (method: string, params: Params | undefined) => Record<string, string> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, OutcomeHandler>();
  private closedReason?: string;

  constructor(
    private readonly server: string,
    readonly channel: Channel,
    private readonly handlers: ConnectionHandlers,
    private readonly closeError: (reason: string) => GatewayError,
  ) {
    channel.onmessage = (m) => this.receive(m);
    channel.onclose = (reason) => this.closed(reason);
  }

  get inFlight(): number {
    return this.pending.size;
  }

  get isClosed(): boolean {
    return this.closedReason !== undefined;
  }

  /** Allocate the id the next `send` will use (it doubles as the progress token). */
  allocateId(): number {
    return this.nextId++;
  }

  /** Send a request with an id from `allocateId`; `onOutcome` runs exactly once. */
  send(
    id: number,
    method: string,
    params: Params | undefined,
    onOutcome: OutcomeHandler,
    asker?: Asker,
  ): void {
    if (this.closedReason !== undefined) {
      onOutcome(this.closeError(this.closedReason));
      return;
    }
    this.pending.set(id, onOutcome);
    const version = this.modernVersion;
    const p = version
      ? envelop(params, version, asker?.capabilities ?? {}, asker?.logLevel)
      : params;
    const msg: RpcRequest =
      p === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params: p };
    try {
      this.channel.send(msg, this.headersFor?.(method, p));
    } catch (e) {
      // Not sent (e.g. too deeply nested to encode): fail it now rather than at call_timeout.
      this.pending.delete(id);
      onOutcome(
        new GatewayError(
          "SEND",
          `server "${this.server}": cannot send ${method}: ${errorMessage(e)}`,
        ),
      );
    }
  }

  /** Request/response as a promise, for the gateway's own calls (initialize, lists). */
  request(method: string, params?: Params, timeoutMs = 0): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const id = this.allocateId();
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              if (this.abandon(id, "timeout"))
                reject(
                  new GatewayError("CALL_TIMEOUT", `${method} timed out after ${timeoutMs} ms`),
                );
            }, timeoutMs)
          : undefined;
      this.send(id, method, params, (o) => {
        clearTimeout(timer);
        if (o instanceof GatewayError) reject(o);
        else if (o.error) reject(new RpcError(o.error.code, o.error.message, o.error.data));
        else resolve(o.result ?? {});
      });
    });
  }

  /**
   * Stop waiting for a request and tell the backend (notifications/cancelled).
   * Returns false when it had already been answered.
   */
  abandon(id: number, reason: string): boolean {
    if (!this.pending.delete(id)) return false;
    this.notify("notifications/cancelled", { requestId: id, reason });
    return true;
  }

  /** A request whose answer nobody waits for (setLevel, subscribe renewals). */
  fire(method: string, params?: Params): void {
    this.send(this.allocateId(), method, params, () => {});
  }

  notify(method: string, params?: Params): void {
    if (this.closedReason !== undefined) return;
    try {
      this.channel.send(
        params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params },
      );
    } catch (e) {
      this.channel.onerror?.(new Error(`cannot send ${method}: ${errorMessage(e)}`));
    }
  }

  respond(id: Id, result: Record<string, unknown> | undefined, error?: RpcErrorObject): void {
    if (this.closedReason !== undefined) return;
    try {
      this.channel.send(
        error ? { jsonrpc: "2.0", id, error } : { jsonrpc: "2.0", id, result: result ?? {} },
      );
    } catch (e) {
      // The client's answer cannot be encoded: the backend still gets an answer.
      const message = `mcp-gateway: cannot relay the answer: ${errorMessage(e)}`;
      this.channel.send({ jsonrpc: "2.0", id, error: { code: -32603, message } });
    }
  }

  /** Fail everything in flight with `error` (used when stopping on purpose). */
  failAll(error: GatewayError): void {
    const handlers = [...this.pending.values()];
    this.pending.clear();
    for (const h of handlers) h(error);
  }

  private receive(m: RpcMessage): void {
    if ("method" in m) {
      if ("id" in m && m.id !== undefined && m.id !== null)
        this.handlers.onRequest(m as RpcRequest);
      else this.handlers.onNotification(m as RpcNotification);
      return;
    }
    const id = (m as RpcResponse).id;
    if (typeof id !== "number") return; // not ours: we only send integer ids
    const handler = this.pending.get(id);
    if (!handler) return; // answered after cancel or timeout: dropped on purpose
    this.pending.delete(id);
    handler(m as RpcResponse);
  }

  private closed(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.failAll(this.closeError(reason));
    this.handlers.onClose(reason);
  }
}
