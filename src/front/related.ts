import type { Id, RpcMessage } from "../jsonrpc.ts";

/** Where an outgoing message belongs on Streamable HTTP. */
export type Destination =
  /** On the stream of this client request (its POST response stream). */
  | { related: Id }
  /** On the session's GET stream: not about any request. */
  | { related: undefined }
  /** Nowhere: progress for a request that is no longer in flight. */
  | "drop";

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
const isId = (v: unknown): v is Id => typeof v === "string" || typeof v === "number";

/**
 * The client requests of one HTTP session that are in flight, so that what the gateway
 * core sends can go on the stream of the request it relates to: a response on its own
 * request's stream, progress on the stream of the request whose token it carries, and a
 * backend's log messages and sampling/elicitation/roots requests on the stream of the latest
 * request in flight (the core relays those to the caller whose request is in flight, so that
 * is the request they come from). The rest (list_changed, resources/updated) goes on the GET
 * stream.
 */
export class RequestTracker {
  /** In arrival order; the last one is "the latest request in flight". */
  private readonly inflight = new Set<Id>();
  private readonly tokens = new Map<Id, Id>();
  private readonly tokenOf = new Map<Id, Id>();

  /** A message from the client, before the core sees it. */
  incoming(m: unknown): void {
    const msg = obj(m);
    if (typeof msg.method !== "string") return;
    const params = obj(msg.params);
    if (isId(msg.id)) {
      this.inflight.add(msg.id);
      const token = obj(params._meta).progressToken;
      if (isId(token)) {
        this.tokens.set(token, msg.id);
        this.tokenOf.set(msg.id, token);
      }
    } else if (msg.method === "notifications/cancelled" && isId(params.requestId)) {
      this.settle(params.requestId);
    }
  }

  /** Where `m`, sent by the core, goes; a response also ends its request here. */
  route(m: RpcMessage): Destination {
    if (!("method" in m)) {
      if (m.id !== null) this.settle(m.id);
      return { related: m.id ?? undefined };
    }
    const id = "id" in m ? m.id : undefined;
    if (m.method === "notifications/progress") {
      const token = m.params?.progressToken;
      const related = isId(token) ? this.tokens.get(token) : undefined;
      return related === undefined ? "drop" : { related };
    }
    if (m.method === "notifications/message" || id !== undefined) return { related: this.latest() };
    return { related: undefined };
  }

  settle(id: Id): void {
    if (!this.inflight.delete(id)) return;
    const token = this.tokenOf.get(id);
    if (token !== undefined) {
      this.tokenOf.delete(id);
      this.tokens.delete(token);
    }
  }

  has(id: Id): boolean {
    return this.inflight.has(id);
  }

  get size(): number {
    return this.inflight.size;
  }

  private latest(): Id | undefined {
    let last: Id | undefined;
    for (const id of this.inflight) last = id;
    return last;
  }
}
