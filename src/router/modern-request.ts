/**
 * One modern-era request as the router sees it: stateless, its own role, capabilities and log
 * level from its envelope. Its answer is shaped for the modern era; a legacy backend's own
 * requests during it go through the input bridge; a modern backend's request state is sealed to
 * this caller on the way out and unsealed on the retry.
 */
import type { Cancel, Outcome, Owner, RelayedCapability } from "../backend/types.ts";
import type { Envelope } from "../era/envelope.ts";
import { ModernError } from "../era/errors.ts";
import { seal, unseal } from "../era/seal.ts";
import { GatewayError } from "../errors.ts";
import {
  ErrorCode,
  type Id,
  type Params,
  type RpcErrorObject,
  type RpcNotification,
  type RpcResponse,
} from "../jsonrpc.ts";
import type { Reply } from "../replies.ts";
import {
  BRIDGE_TTL_MS,
  Bridge,
  type BridgeState,
  type Origin,
  type Shape,
  type Waiter,
} from "./bridge.ts";
import { type Client, principalOwner } from "./client.ts";
import type { Role } from "./roles.ts";
import { type CacheHints, shapeModern } from "./shape.ts";

/** Log levels, least severe first (RFC 5424 order, as MCP uses them). */
const LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

/** A modern backend's own request state, sealed to the caller that got it. */
interface WrappedState {
  s: unknown;
  m: string;
  n: string;
}

/** What modern requests share: the open bridges and the cache hints of the gateway's lists. */
export class ModernHost {
  private readonly bridges = new Map<string, Bridge>();

  constructor(readonly hints: () => CacheHints) {}

  open(origin: Origin, first: Waiter, shape: Shape): Bridge {
    const bridge = new Bridge(origin, first, shape, (b) => this.bridges.delete(b.id));
    this.bridges.set(bridge.id, bridge);
    return bridge;
  }

  get(id: string): Bridge | undefined {
    return this.bridges.get(id);
  }

  get size(): number {
    return this.bridges.size;
  }

  /** The gateway is closing: every bridged call is cancelled. */
  closeAll(): void {
    for (const b of [...this.bridges.values()]) b.close();
  }
}

/** The name a request is about, which its retry must repeat: tool or prompt name, or resource URI. */
const nameOf = (method: string, params: Params | undefined): string =>
  String((method === "resources/read" ? params?.uri : params?.name) ?? "");

const refused = (message: string): RpcErrorObject => ({
  code: ErrorCode.InvalidParams,
  message: `Invalid params: ${message}`,
});

export class ModernRequest implements Client, Waiter {
  readonly modern = true;
  readonly label: string;
  readonly capabilities: Record<string, unknown>;
  readonly logLevel?: string;
  readonly protocolVersion: string;
  /** Stops the backend call (set once routed). */
  cancel?: Cancel;
  private bridge?: Bridge;
  private done = false;

  constructor(
    readonly id: Id,
    readonly method: string,
    readonly params: Params | undefined,
    readonly role: Role,
    readonly principal: string,
    envelope: Envelope,
    private readonly host: ModernHost,
    private readonly out: Pick<Waiter, "related" | "answer">,
    readonly front: string,
    /** Whose processes of per_session servers serve it: its stdio connection's, or its principal's. */
    readonly owner: Owner = principalOwner(principal),
  ) {
    this.label = `${front} modern request ${JSON.stringify(id)}`;
    this.protocolVersion = envelope.version;
    this.capabilities = envelope.capabilities;
    if (envelope.logLevel) this.logLevel = envelope.logLevel;
  }

  get roleName(): string | undefined {
    return this.role.name;
  }

  /**
   * A retry carrying request state: the bridge it continues (the request is then answered by
   * it), the backend's own state to forward (params rewritten), or why the state is refused.
   */
  resume(): { bridge: Bridge } | { params: Params | undefined } | { error: RpcErrorObject } {
    const state = this.params?.requestState;
    if (state === undefined) return { params: this.params };
    const opened = unseal<BridgeState | WrappedState>(state, this.principal);
    if ("refused" in opened) return { error: refused(opened.refused) };
    const v = opened.value;
    if (v.m !== this.method || v.n !== nameOf(this.method, this.params))
      return { error: refused("requestState belongs to another request") };
    if ("b" in v) {
      const bridge = this.host.get(v.b);
      if (!bridge) return { error: refused("requestState has expired") };
      bridge.attach(this, this.params?.inputResponses);
      this.bridge = bridge;
      return { bridge };
    }
    return { params: { ...this.params, requestState: v.s } };
  }

  /** The router's answer. */
  finish(reply: Reply): void {
    if (this.bridge) return this.bridge.complete(reply);
    if (this.done) return;
    this.done = true;
    const shaped = shapeModern(this.method, reply, this.id, this.host.hints());
    const result = shaped.result;
    // A modern backend's state is bound to this caller before it leaves.
    if (result?.resultType === "input_required" && result.requestState !== undefined) {
      const wrapped: WrappedState = {
        s: result.requestState,
        m: this.method,
        n: nameOf(this.method, this.params),
      };
      result.requestState = seal(wrapped, this.principal, BRIDGE_TTL_MS);
    }
    this.out.answer(shaped);
  }

  /** The client went away (its stream closed, or it cancelled): the call stops. */
  abort(): void {
    if (this.bridge) return this.bridge.abandon(this);
    if (this.done) return;
    this.done = true;
    this.cancel?.();
  }

  answer(m: RpcResponse): void {
    this.done = true;
    this.out.answer(m);
  }

  related(m: RpcNotification): void {
    this.out.related(m);
  }

  // Caller: what backends reach this client through.

  notify(method: string, params: Params): void {
    if (method === "notifications/message") {
      const want = this.logLevel ? LEVELS.indexOf(this.logLevel) : -1;
      const level = LEVELS.indexOf(String(params.level));
      // No log level in the envelope: no log messages at all (the modern era's rule).
      if (want < 0 || level < want) return;
    } else if (method !== "notifications/progress") return;
    const m: RpcNotification = { jsonrpc: "2.0", method, params };
    if (this.bridge) this.bridge.related(m);
    else if (!this.done) this.out.related(m);
  }

  request(method: string, params: Params | undefined, signal: AbortSignal): Promise<Outcome> {
    if (!this.bridge) {
      if (this.done) return Promise.resolve(new GatewayError("CLOSED", `${this.label} has ended`));
      const origin = {
        method: this.method,
        name: nameOf(this.method, this.params),
        principal: this.principal,
      };
      this.bridge = this.host.open(origin, this, (reply: RpcResponse, id: Id) =>
        shapeModern(this.method, reply, id, this.host.hints()),
      );
      this.bridge.cancel = () => this.cancel?.();
    }
    return this.bridge.ask(method, params, signal);
  }

  can(capability: RelayedCapability): boolean {
    const c = this.capabilities[capability];
    return c !== undefined && c !== null;
  }

  /** The backend needs a capability this client did not declare: the request fails (-32021). */
  refuse(capability: RelayedCapability): void {
    if (this.bridge || this.done) return;
    this.done = true;
    this.cancel?.();
    this.out.answer({
      jsonrpc: "2.0",
      id: this.id,
      error: {
        code: ModernError.MissingRequiredClientCapability,
        message: `Missing required client capability: ${capability}`,
        data: { requiredCapabilities: { [capability]: {} } },
      },
    });
  }
}
