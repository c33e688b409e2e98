import { randomUUID } from "node:crypto";
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server";
import { errorMessage } from "../errors.ts";
import { type Id, isId, type RpcMessage, validateMessage } from "../jsonrpc.ts";
import { log } from "../log.ts";
import { PROTOCOL_VERSIONS } from "../protocol.ts";
import type { Router } from "../router/router.ts";
import { Session } from "../router/session.ts";
import { MemoryEventStore } from "./event-store.ts";
import { Exchange } from "./exchange.ts";
import { RequestTracker } from "./related.ts";
import type { Principal } from "./security.ts";
import type { HttpSession } from "./sessions.ts";
import { KEEPALIVE_MS } from "./sse-format.ts";
import { watchBody } from "./watch.ts";

export { KEEPALIVE_MS };
/** The reconnection delay suggested to clients in priming events. */
export const RETRY_MS = 1000;
/**
 * How long the requests of a POST whose stream the client dropped stay in flight, waiting
 * for the client to resume (GET with Last-Event-ID), before they are cancelled.
 */
export const RESUME_GRACE_MS = 3000;

/** Ids of the requests in a POST body (one message or a batch). */
const requestIds = (body: unknown): Id[] =>
  (Array.isArray(body) ? body : [body]).flatMap((m) => {
    const { id, method } = (typeof m === "object" && m !== null ? m : {}) as Record<
      string,
      unknown
    >;
    return typeof method === "string" && isId(id) ? [id] : [];
  });

const cancelledId = (m: unknown): Id | undefined => {
  const msg = (typeof m === "object" && m !== null ? m : {}) as {
    method?: unknown;
    params?: { requestId?: unknown };
  };
  const id = msg.params?.requestId;
  return msg.method === "notifications/cancelled" && isId(id) ? id : undefined;
};

const jsonError = (status: number, id: Id | null, message: string): Response =>
  Response.json({ jsonrpc: "2.0", id, error: { code: -32600, message } }, { status });

/**
 * One Streamable HTTP client: the SDK's web-standard transport (sessions, streams,
 * resumability, header checks) wired to one gateway Session (role, id mapping, routing).
 */
export class StreamableSession implements HttpSession {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly core: Session;
  readonly tracker = new RequestTracker();
  readonly store = new MemoryEventStore();
  private streams = 0;
  private readonly graces = new Map<Id, Timer>();
  /** Requests that came alone in their POST: cancelling one may end its stream. */
  private readonly solo = new Set<Id>();
  /** Requests answered through the fast path, by id. */
  private readonly exchanges = new Map<Id, Exchange>();
  private closed = false;

  constructor(
    router: Router,
    readonly principal: Principal,
    private readonly hooks: {
      opened(id: string, s: StreamableSession): void;
      closed(id: string): void;
    },
  ) {
    this.transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: this.store,
      keepAliveMs: KEEPALIVE_MS,
      retryInterval: RETRY_MS,
      onsessioninitialized: (id) => hooks.opened(id, this),
    });
    this.core = new Session(
      router,
      principal.role,
      (m) => this.deliver(m),
      "http",
      principal.id,
      (settings) => settings.httpRole(principal.id),
    );
    // Closed by the gateway (a reload removed its token): the transport goes with it.
    void this.core.ended.then(() => this.close("the session was closed by the gateway"));
    this.transport.onmessage = (m) => {
      const cancelled = cancelledId(m);
      this.tracker.incoming(m);
      this.core.receive(m);
      // A cancelled request gets no answer, so its POST stream would stay open for good.
      if (cancelled === undefined) return;
      this.exchanges.get(cancelled)?.close();
      if (this.solo.delete(cancelled)) this.transport.closeSSEStream(cancelled);
    };
    this.transport.onclose = () => this.shutdown();
    this.transport.onerror = (e) => log.debug(`${this.core.label}: ${errorMessage(e)}`);
  }

  get id(): string | undefined {
    return this.transport.sessionId;
  }

  busy(): boolean {
    return this.tracker.size > 0 || this.streams > 0;
  }

  /** One HTTP request of this session; `body` is the parsed POST body. */
  async handle(req: Request, body?: unknown): Promise<Response> {
    const refused = req.method === "POST" ? this.refuse(body) : undefined;
    if (refused) return refused;
    const fast = this.fast(req, body);
    if (fast) return fast;
    const resumed = this.resumeExchange(req);
    if (resumed) return resumed;
    const res = await this.transport.handleRequest(
      req,
      body === undefined ? undefined : { parsedBody: body },
    );
    if (!res.headers.get("content-type")?.includes("text/event-stream")) return res;
    if (req.method === "GET" && req.headers.has("last-event-id")) this.resumed();
    const ids = req.method === "POST" ? requestIds(body) : [];
    if (ids.length === 1 && ids[0] !== undefined) this.solo.add(ids[0]);
    this.streams++;
    return watchBody(res, (how) => {
      this.streams--;
      if (how === "cancelled") this.dropped(ids);
    });
  }

  /**
   * What the SDK transport would get wrong, answered here: a batch outside protocol version
   * 2025-03-26, and a request id already in flight (the transport would move the original's
   * answer to the new POST's stream).
   */
  private refuse(body: unknown): Response | undefined {
    const version = this.core.protocolVersion;
    if (Array.isArray(body) && version !== undefined && version !== "2025-03-26")
      return jsonError(
        400,
        null,
        `Invalid Request: JSON-RPC batches are not supported in protocol version ${version}`,
      );
    if (Array.isArray(body)) return undefined;
    const [id] = requestIds(body);
    if (id !== undefined && this.tracker.has(id))
      return jsonError(200, id, `Invalid Request: id ${JSON.stringify(id)} is already in flight`);
    return undefined;
  }

  /**
   * One request on an established session: answered by an Exchange (JSON, or SSE once a
   * related message comes first) instead of the SDK transport's per-POST SSE stream. The
   * transport keeps everything else: initialize, GET streams, resumption, DELETE, batches,
   * and every request it would refuse (it says why).
   */
  private fast(req: Request, body: unknown): Promise<Response> | undefined {
    const sid = this.transport.sessionId;
    if (req.method !== "POST" || sid === undefined || this.closed) return undefined;
    if (validateMessage(body) !== undefined) return undefined;
    const m = body as RpcMessage;
    if (!("method" in m) || !("id" in m) || !isId(m.id) || m.method === "initialize")
      return undefined;
    const h = req.headers;
    const accept = h.get("accept") ?? "";
    const version = h.get("mcp-protocol-version");
    const json = accept.indexOf("application/json");
    const sse = accept.indexOf("text/event-stream");
    // Both must be accepted; a client listing the stream first asked for one: it gets the SDK's.
    if (
      json < 0 ||
      sse < 0 ||
      sse < json ||
      !h.get("content-type")?.includes("application/json") ||
      h.get("mcp-session-id") !== sid ||
      (version !== null && !PROTOCOL_VERSIONS.includes(version))
    )
      return undefined;
    const id = m.id;
    const exchange = new Exchange(id, {
      sessionId: sid,
      keepAliveMs: KEEPALIVE_MS,
      store: (stream, json) => this.store.store(stream, json),
      after: (eventId) => this.store.after(eventId),
      ended: (done) => {
        if (this.exchanges.get(done) === exchange) this.exchanges.delete(done);
      },
    });
    this.exchanges.set(id, exchange);
    req.signal.addEventListener("abort", () => {
      if (this.exchanges.get(id) === exchange) this.dropped([id]);
    });
    this.tracker.incoming(m);
    this.core.receive(m);
    return exchange.response;
  }

  /** A GET with Last-Event-ID for a stream of a fast-path request still in flight. */
  private resumeExchange(req: Request): Response | undefined {
    const last = req.method === "GET" ? req.headers.get("last-event-id") : null;
    if (!last || req.headers.get("mcp-session-id") !== this.transport.sessionId) return undefined;
    for (const exchange of this.exchanges.values())
      if (last.startsWith(`${exchange.stream}_`)) {
        this.resumed();
        return exchange.resume(last);
      }
    return undefined;
  }

  /** The client left a POST stream: give it a moment to resume, then cancel what is left. */
  private dropped(ids: Id[]): void {
    for (const id of ids) {
      if (this.closed || !this.tracker.has(id) || this.graces.has(id)) continue;
      const timer = setTimeout(() => this.abandon(id), RESUME_GRACE_MS);
      this.graces.set(id, timer);
    }
  }

  private resumed(): void {
    for (const timer of this.graces.values()) clearTimeout(timer);
    this.graces.clear();
  }

  private abandon(id: Id): void {
    this.graces.delete(id);
    if (this.closed || !this.tracker.has(id)) return;
    log.debug(`${this.core.label}: client left request ${JSON.stringify(id)}; cancelling it`);
    this.core.receive({
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: id, reason: "the client disconnected" },
    });
    // Stored for a late resume, and it releases the transport's bookkeeping for the request.
    this.deliver({
      jsonrpc: "2.0",
      id,
      error: { code: -32800, message: "Request cancelled: the client disconnected" },
    });
  }

  private deliver(m: RpcMessage | RpcMessage[]): void {
    for (const one of Array.isArray(m) ? m : [m]) {
      if (!("method" in one) && one.id !== null) this.solo.delete(one.id);
      const to = this.tracker.route(one);
      if (to === "drop" || this.closed) continue;
      const exchange = to.related === undefined ? undefined : this.exchanges.get(to.related);
      if (exchange) {
        exchange.push(one);
        continue;
      }
      const options = to.related === undefined ? undefined : { relatedRequestId: to.related };
      this.transport
        .send(one as JSONRPCMessage, options)
        .catch((e) => log.debug(`${this.core.label}: undeliverable message: ${errorMessage(e)}`));
    }
  }

  close(reason: string): void {
    if (this.closed) return;
    log.debug(`${this.core.label}: closing (${reason})`);
    void this.transport.close();
    // A transport that never initialized has no onclose to wait for.
    this.shutdown();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    this.resumed();
    for (const exchange of [...this.exchanges.values()]) exchange.close();
    this.core.close();
    const id = this.transport.sessionId;
    if (id !== undefined) this.hooks.closed(id);
  }
}
