import type { Cancel, Outcome, Owner, RelayedCapability } from "../backend/types.ts";
import { GatewayError } from "../errors.ts";
import {
  ErrorCode,
  errorResponse,
  type Id,
  idOf,
  type Params,
  type RpcMessage,
  type RpcResponse,
  validateMessage,
} from "../jsonrpc.ts";
import { log } from "../log.ts";
import { negotiate } from "../protocol.ts";
import type { Reply } from "../replies.ts";
import { VERSION } from "../version.ts";
import type { Client } from "./client.ts";
import type { Role } from "./roles.ts";
import { byName, type RoleSource, type Settings } from "./settings.ts";
import { shapeLegacy } from "./shape.ts";

/** What a session needs of the gateway core; the Router implements it. */
export interface SessionHost {
  attach(session: Session): void;
  /** The session is gone: drop what the core keeps for it. */
  detach(session: Session): void;
  /** Dispatch one client request; the reply comes through `done`. */
  request(
    session: Session,
    method: string,
    params: Params | undefined,
    done: (reply: Reply) => void,
  ): Cancel | undefined;
  rootsChanged(session: Session): void;
  /** What to announce in initialize. */
  capabilities(): Record<string, unknown>;
  instructions(): string | undefined;
}

let nextSession = 1;
/** Batches are part of protocol version 2025-03-26 only. */
const BATCH_VERSIONS = new Set(["2025-03-26"]);

/**
 * One connected client: its role, its negotiated version and capabilities, and the
 * mapping of its request ids to what is in flight for it. Fronts hand it parsed
 * JSON; it answers through `send`. Two sessions share nothing but the router.
 */
export class Session implements Client {
  readonly id = nextSession++;
  readonly label: string;
  initialized = false;
  protocolVersion?: string;
  capabilities: Record<string, unknown> = {};
  /** The level this client set with logging/setLevel; modern backends get it on each request. */
  logLevel?: string;
  clientInfo?: Record<string, unknown>;
  /** Client requests being answered: how to cancel each, and how to tell its batch it ends unanswered. */
  private readonly inflight = new Map<Id, { cancel?: Cancel; drop: () => void }>();
  private readonly outgoing = new Map<number, (o: Outcome) => void>();
  private nextOut = 1;
  private closed = false;
  private resolveEnded: () => void = () => {};
  /** Resolves once the session is closed, by its front or by the gateway shutting down. */
  readonly ended = new Promise<void>((resolve) => {
    this.resolveEnded = resolve;
  });
  /** A per_session server gives this session a process of its own, stopped when it ends. */
  readonly owner: Owner;

  constructor(
    private readonly router: SessionHost,
    private current: Role,
    private readonly send: (message: RpcMessage | RpcMessage[]) => void,
    readonly front: string,
    /** Who opened the session (a token's label, or "" without auth tokens). */
    readonly principal = "",
    private readonly roleIn: RoleSource = byName(current),
  ) {
    this.label = `${front} client #${this.id}`;
    this.owner = { key: this.label, ended: this.ended, session: this };
    router.attach(this);
  }

  /** Read once per request, when it is dispatched; a reload may change it between requests. */
  get role(): Role {
    return this.current;
  }

  /** A reload: this session's role under `settings`; false when it must be closed. */
  rebind(settings: Settings): boolean {
    const role = this.roleIn(settings);
    if (!role) return false;
    this.current = role;
    return true;
  }

  get roleName(): string | undefined {
    return this.role.name;
  }

  get sessionNo(): number {
    return this.id;
  }

  /** One parsed value from the wire: a message or (2025-03-26) a batch. */
  receive(value: unknown): void {
    if (this.closed) return;
    try {
      this.dispatch(value);
    } catch (e) {
      // A bug must cost one message, never the session or the gateway.
      log.error(
        `${this.label}: internal error on a message: ${e instanceof Error ? e.stack : String(e)}`,
      );
      this.send(
        errorResponse(idOf(value), { code: ErrorCode.InternalError, message: "Internal error" }),
      );
    }
  }

  private dispatch(value: unknown): void {
    if (!Array.isArray(value)) return this.one(value, this.send);
    if (value.length === 0)
      return this.send(
        errorResponse(null, {
          code: ErrorCode.InvalidRequest,
          message: "Invalid Request: empty batch",
        }),
      );
    if (!this.protocolVersion || !BATCH_VERSIONS.has(this.protocolVersion))
      return this.send(
        errorResponse(null, {
          code: ErrorCode.InvalidRequest,
          message: `Invalid Request: JSON-RPC batches are not supported in protocol version ${this.protocolVersion ?? "(not initialized)"}`,
        }),
      );
    const replies: RpcMessage[] = [];
    let waiting = value.length;
    const finish = () => {
      if (--waiting === 0 && replies.length > 0) this.send(replies);
    };
    for (const item of value)
      this.one(
        item,
        (m) => {
          replies.push(...(Array.isArray(m) ? m : [m]));
          finish();
        },
        finish,
      );
  }

  private one(value: unknown, out: (m: RpcMessage) => void, noReply: () => void = () => {}): void {
    const invalid = validateMessage(value);
    if (invalid) return out(errorResponse(idOf(value), invalid));
    const m = value as RpcMessage;
    if (!("method" in m)) {
      noReply();
      return this.response(m);
    }
    if (!("id" in m) || m.id === undefined || m.id === null) {
      noReply();
      return this.notification(m.method, m.params);
    }
    const id = m.id;
    if (this.inflight.has(id))
      return out(
        errorResponse(id, {
          code: ErrorCode.InvalidRequest,
          message: `Invalid Request: id ${JSON.stringify(id)} is already in flight`,
        }),
      );
    switch (m.method) {
      case "initialize":
        return out({ jsonrpc: "2.0", id, result: this.initialize(m.params ?? {}) });
      case "ping":
        return out({ jsonrpc: "2.0", id, result: {} });
    }
    // Identity, not the id, decides: a late answer must not land on a newer request reusing the id.
    const entry: { cancel?: Cancel; drop: () => void } = { drop: noReply };
    this.inflight.set(id, entry);
    const cancel = this.router.request(this, m.method, m.params, (reply: Reply) => {
      if (this.inflight.get(id) !== entry || this.closed) return;
      this.inflight.delete(id);
      // A modern backend's result carries the modern era's vocabulary; this client's era has none.
      const shaped = shapeLegacy(reply);
      shaped.id = id;
      out(shaped);
    });
    if (typeof cancel === "function" && this.inflight.get(id) === entry) entry.cancel = cancel;
  }

  private initialize(p: Params): Record<string, unknown> {
    this.protocolVersion = negotiate(p.protocolVersion);
    this.capabilities = (p.capabilities as Record<string, unknown>) ?? {};
    this.clientInfo = p.clientInfo as Record<string, unknown> | undefined;
    const result: Record<string, unknown> = {
      protocolVersion: this.protocolVersion,
      capabilities: this.router.capabilities(),
      serverInfo: { name: "mcp-gateway", version: VERSION },
    };
    const text = this.router.instructions();
    if (text) result.instructions = text;
    return result;
  }

  private notification(method: string, params: Params | undefined): void {
    switch (method) {
      case "notifications/initialized":
        this.initialized = true;
        return;
      case "notifications/cancelled": {
        const id = params?.requestId as Id;
        const entry = this.inflight.get(id);
        if (!entry) return;
        this.inflight.delete(id);
        entry.cancel?.();
        // A cancelled request gets no answer; its batch is answered without it.
        entry.drop();
        return;
      }
      case "notifications/roots/list_changed":
        return this.router.rootsChanged(this);
      default:
        log.debug(`${this.label}: ignored notification ${method}`);
    }
  }

  private response(m: RpcResponse): void {
    const id = m.id;
    const resolve = typeof id === "number" ? this.outgoing.get(id) : undefined;
    if (!resolve)
      return log.debug(`${this.label}: response to unknown request ${JSON.stringify(id)}`);
    this.outgoing.delete(id as number);
    resolve(m);
  }

  // Caller: what backends reach this client through.

  notify(method: string, params?: Params): void {
    if (this.closed) return;
    this.send(
      params && Object.keys(params).length > 0
        ? { jsonrpc: "2.0", method, params }
        : { jsonrpc: "2.0", method },
    );
  }

  request(method: string, params: Params | undefined, signal: AbortSignal): Promise<Outcome> {
    if (this.closed)
      return Promise.resolve(new GatewayError("CLOSED", `${this.label} disconnected`));
    return new Promise((resolve) => {
      const id = this.nextOut++;
      this.outgoing.set(id, resolve);
      signal.addEventListener("abort", () => {
        if (this.outgoing.delete(id))
          this.notify("notifications/cancelled", {
            requestId: id,
            reason: "cancelled by the server",
          });
      });
      this.send(params ? { jsonrpc: "2.0", id, method, params } : { jsonrpc: "2.0", id, method });
    });
  }

  can(capability: RelayedCapability): boolean {
    return this.capabilities[capability] !== undefined && this.capabilities[capability] !== null;
  }

  /** The client went away: cancel what it has in flight, fail what waits on it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { cancel } of this.inflight.values()) cancel?.();
    this.inflight.clear();
    const gone = new GatewayError("CLOSED", `${this.label} disconnected`);
    for (const resolve of this.outgoing.values()) resolve(gone);
    this.outgoing.clear();
    this.router.detach(this);
    this.resolveEnded();
  }
}
