import { randomUUID } from "node:crypto";
import type { RpcMessage } from "../jsonrpc.ts";
import { log } from "../log.ts";
import type { Router } from "../router/router.ts";
import { Session } from "../router/session.ts";
import { RequestTracker } from "./related.ts";
import { type Principal, parseJson, readBody, rpcErrorResponse } from "./security.ts";
import { KEEPALIVE_COMMENT, KEEPALIVE_MS, SSE_HEADERS } from "./sse-format.ts";

const encoder = new TextEncoder();
const frame = (event: string, data: string) => encoder.encode(`event: ${event}\ndata: ${data}\n\n`);
const KEEPALIVE = encoder.encode(KEEPALIVE_COMMENT);

/**
 * One legacy HTTP+SSE client: its GET /sse stream is the session. Replies go on the
 * stream as `event: message`; the stream closing (client gone) closes the session,
 * cancelling what it has in flight.
 */
class SseSession {
  readonly id = randomUUID();
  readonly core: Session;
  /** Counts requests in flight, for shutdown. */
  readonly tracker = new RequestTracker();
  readonly body: ReadableStream<Uint8Array>;
  private controller?: ReadableStreamDefaultController<Uint8Array>;
  private keepalive?: Timer;
  private closed = false;

  constructor(
    router: Router,
    readonly principal: Principal,
    private readonly onClosed: (id: string) => void,
  ) {
    this.core = new Session(
      router,
      principal.role,
      (m) => this.deliver(m),
      "sse",
      principal.id,
      (settings) => settings.httpRole(principal.id),
    );
    // Closed by the gateway (a reload removed its token): the stream goes with it.
    void this.core.ended.then(() => this.close("the session was closed by the gateway"));
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
        controller.enqueue(frame("endpoint", `/messages?sessionId=${this.id}`));
        this.keepalive = setInterval(() => this.write(KEEPALIVE), KEEPALIVE_MS);
      },
      cancel: () => this.close("the client closed the stream"),
    });
  }

  receive(value: unknown): void {
    for (const m of Array.isArray(value) ? value : [value]) this.tracker.incoming(m);
    this.core.receive(value);
  }

  private deliver(m: RpcMessage | RpcMessage[]): void {
    for (const one of Array.isArray(m) ? m : [m]) this.tracker.route(one);
    this.write(frame("message", JSON.stringify(m)));
  }

  private write(bytes: Uint8Array): void {
    if (this.closed) return;
    try {
      this.controller?.enqueue(bytes);
    } catch {
      this.close("the stream broke");
    }
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    log.debug(`${this.core.label}: closing (${reason})`);
    clearInterval(this.keepalive);
    this.core.close();
    try {
      this.controller?.close();
    } catch {
      // already closed by the client
    }
    this.onClosed(this.id);
  }
}

/** Legacy HTTP+SSE (protocol 2024-11-05): GET /sse opens a session, POST /messages feeds it. */
export class SseFront {
  readonly sessions = new Map<string, SseSession>();

  constructor(
    private readonly router: Router,
    private readonly maxBody: number,
  ) {}

  open(principal: Principal): Response {
    const session = new SseSession(this.router, principal, (id) => this.sessions.delete(id));
    this.sessions.set(session.id, session);
    return new Response(session.body, {
      headers: SSE_HEADERS,
    });
  }

  async post(req: Request, principal: Principal): Promise<Response> {
    const id = new URL(req.url).searchParams.get("sessionId");
    if (!id) return rpcErrorResponse(400, -32000, "Bad Request: sessionId is required");
    const session = this.sessions.get(id);
    if (!session) return rpcErrorResponse(404, -32001, "Session not found");
    if (session.principal.id !== principal.id) {
      this.router.observe.refused("auth");
      return rpcErrorResponse(403, -32000, "Forbidden: the session belongs to another token");
    }
    const text = await readBody(req, this.maxBody);
    if (text instanceof Response) return text;
    const parsed = parseJson(text);
    if (parsed instanceof Response) return parsed;
    session.receive(parsed.value);
    return new Response("Accepted", { status: 202 });
  }

  get inFlight(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.tracker.size;
    return n;
  }

  closeAll(reason: string): void {
    for (const s of [...this.sessions.values()]) s.close(reason);
  }
}
