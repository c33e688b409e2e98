import type { Server } from "bun";
import { errorMessage } from "../errors.ts";
import { ErrorCode } from "../jsonrpc.ts";
import { log } from "../log.ts";
import { tracing } from "../observe/trace-state.ts";
import { createOps, type OpsContext } from "./ops.ts";
import { rpcErrorResponse, type TokenAuth } from "./security.ts";
import { SseFront } from "./sse.ts";
import { StreamableFront } from "./streamable.ts";

export type HttpContext = OpsContext;

/** The web-standard fetch handler behind Bun.serve; usable in-process: `handler.fetch(new Request(…))`. */
export interface HttpHandler {
  fetch(req: Request, server?: Server<undefined>): Promise<Response>;
  readonly auth: TokenAuth;
  /** Sessions open on both fronts. */
  readonly sessionCount: number;
  /** Refuse new work, give in-flight requests up to `graceMs`, then close every session. */
  close(graceMs?: number): Promise<void>;
}

/** How long close() lets in-flight requests finish before cancelling them. */
export const SHUTDOWN_GRACE_MS = 2000;

const until = (ready: () => boolean, ms: number): Promise<void> =>
  new Promise((resolve) => {
    const deadline = Date.now() + ms;
    const tick = () => (ready() || Date.now() >= deadline ? resolve() : setTimeout(tick, 20));
    tick();
  });

/**
 * Routes: /mcp (Streamable HTTP), GET /sse + POST /messages (legacy SSE), and the ops routes
 * (ops.ts: /healthz, /status, /metrics). Every request passes the Host/Origin check first; all but
 * /healthz need a valid bearer token when auth.tokens is set.
 */
export function createHttpHandler(ctx: HttpContext, bindHost = "127.0.0.1"): HttpHandler {
  const observe = ctx.router.observe;
  const ops = createOps(ctx, bindHost);
  const { max_body_bytes, session_idle_timeout } = ctx.config.http;
  const streamable = new StreamableFront(ctx.router, max_body_bytes, session_idle_timeout);
  const sse = new SseFront(ctx.router, max_body_bytes);
  let closing = false;

  async function route(req: Request, server?: Server<undefined>): Promise<Response> {
    const principal = await ops.route(req, closing);
    if (principal instanceof Response) return principal;
    const path = new URL(req.url).pathname;
    const isMcp = path === "/mcp" || path === "/sse" || path === "/messages";
    if (!isMcp) return rpcErrorResponse(404, -32000, `Not found: ${path}`);
    if (closing)
      return rpcErrorResponse(503, -32000, "Service Unavailable: the gateway is closing");
    // Streams live as long as the client wants; keep-alive comments keep them moving.
    server?.timeout(req, 0);
    if (path === "/mcp") return streamable.handle(req, principal);
    if (path === "/sse" && req.method === "GET") return sse.open(principal);
    if (path === "/messages" && req.method === "POST") return sse.post(req, principal);
    return rpcErrorResponse(405, -32000, "Method not allowed", {
      Allow: path === "/sse" ? "GET" : "POST",
    });
  }

  return {
    auth: ops.auth,
    get sessionCount() {
      return streamable.sessions.size + sse.sessions.size;
    },
    async fetch(req, server) {
      try {
        const res = await (tracing
          ? tracing.http(req.headers, () => route(req, server))
          : route(req, server));
        // 413 comes from one place only: a body over http.max_body_bytes.
        if (res.status === 413) observe.refused("size");
        return res;
      } catch (e) {
        log.error(`HTTP ${req.method} ${new URL(req.url).pathname}: ${errorMessage(e)}`);
        return rpcErrorResponse(500, ErrorCode.InternalError, "Internal error");
      }
    },
    async close(graceMs = SHUTDOWN_GRACE_MS) {
      closing = true;
      await until(() => streamable.inFlight + sse.inFlight === 0, graceMs);
      streamable.closeAll("the gateway is closing");
      sse.closeAll("the gateway is closing");
    },
  };
}
