import type { Server } from "bun";
import type { GatewayConfig } from "../config/schema.ts";
import { errorMessage } from "../errors.ts";
import { ErrorCode } from "../jsonrpc.ts";
import { log } from "../log.ts";
import type { Role } from "../router/roles.ts";
import type { Router } from "../router/router.ts";
import { gatewayStatus } from "../router/status.ts";
import { HostPolicy, rpcErrorResponse, TokenAuth } from "./security.ts";
import { SseFront } from "./sse.ts";
import { StreamableFront } from "./streamable.ts";

export interface HttpContext {
  router: Router;
  config: GatewayConfig;
  /** The role for clients when the config has no auth.tokens. */
  role: Role;
}

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

/** Plugin tool names: local routes other than the built-in gateway_status. */
function pluginNames(router: Router): string[] {
  const names: string[] = [];
  for (const [name, route] of router.catalog.tools)
    if (!route.server && !route.connect && name !== "gateway_status") names.push(name);
  return names;
}

const until = (ready: () => boolean, ms: number): Promise<void> =>
  new Promise((resolve) => {
    const deadline = Date.now() + ms;
    const tick = () => (ready() || Date.now() >= deadline ? resolve() : setTimeout(tick, 20));
    tick();
  });

/**
 * Routes: /mcp (Streamable HTTP), GET /sse + POST /messages (legacy SSE), /healthz,
 * /status. Every request passes the Host/Origin check first; all but /healthz need a
 * valid bearer token when auth.tokens is set.
 */
export function createHttpHandler(ctx: HttpContext, bindHost = "127.0.0.1"): HttpHandler {
  const policy = new HostPolicy(ctx.config, bindHost);
  const auth = new TokenAuth(() => ctx.router.settings);
  const { max_body_bytes, session_idle_timeout } = ctx.config.http;
  const streamable = new StreamableFront(ctx.router, max_body_bytes, session_idle_timeout);
  const sse = new SseFront(ctx.router, max_body_bytes);
  let closing = false;

  async function route(req: Request, server?: Server<undefined>): Promise<Response> {
    const refused = policy.check(req);
    if (refused) return refused;
    const path = new URL(req.url).pathname;
    if (path === "/healthz")
      return closing
        ? Response.json({ status: "closing" }, { status: 503 })
        : Response.json({ status: "ok" });
    const principal = auth.authenticate(req);
    if (principal instanceof Response) return principal;
    if (path === "/status" && req.method === "GET")
      return Response.json(gatewayStatus(ctx.router, principal.role, pluginNames(ctx.router)));
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
    auth,
    get sessionCount() {
      return streamable.sessions.size + sse.sessions.size;
    },
    async fetch(req, server) {
      try {
        return await route(req, server);
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
