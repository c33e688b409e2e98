import { randomUUID } from "node:crypto";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { errorMessage } from "../errors.ts";
import { type Id, isId, type RpcMessage } from "../jsonrpc.ts";
import { log } from "../log.ts";
import type { Router } from "../router/router.ts";
import { Session } from "../router/session.ts";
import { MemoryEventStore } from "./event-store.ts";
import { RequestTracker } from "./related.ts";
import type { Principal } from "./security.ts";
import type { HttpSession } from "./sessions.ts";
import { watchBody } from "./watch.ts";

/** Under Bun.serve's 10 s idle limit, so quiet streams are never cut. */
export const KEEPALIVE_MS = 5000;
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
    this.core = new Session(router, principal.role, (m) => this.deliver(m), "http");
    this.transport.onmessage = (m) => {
      this.tracker.incoming(m);
      this.core.receive(m);
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
    const res = await this.transport.handleRequest(
      req,
      body === undefined ? undefined : { parsedBody: body },
    );
    if (!res.headers.get("content-type")?.includes("text/event-stream")) return res;
    if (req.method === "GET" && req.headers.has("last-event-id")) this.resumed();
    const ids = req.method === "POST" ? requestIds(body) : [];
    this.streams++;
    return watchBody(res, (how) => {
      this.streams--;
      if (how === "cancelled") this.dropped(ids);
    });
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
      const to = this.tracker.route(one);
      if (to === "drop" || this.closed) continue;
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
    this.core.close();
    const id = this.transport.sessionId;
    if (id !== undefined) this.hooks.closed(id);
  }
}
