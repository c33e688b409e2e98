/** /healthz, /status and /metrics behind the Host/Origin check and tokens; no MCP transport. */
import type { GatewayConfig } from "../config/schema.ts";
import type { Exposition, Scope } from "../observe/exposition.ts";
import type { Role } from "../router/roles.ts";
import type { Router } from "../router/router.ts";
import { gatewayStatus } from "../router/status.ts";
import { HostPolicy, type Principal, rpcErrorResponse, TokenAuth } from "./security.ts";

export interface OpsContext {
  router: Router;
  config: GatewayConfig;
  /** The role for clients when the config has no auth.tokens. */
  role: Role;
  /** GET /metrics; undefined when metrics are off. */
  metrics?: Pick<Exposition, "render">;
}

/** Plugin tool names: local routes other than the built-in gateway_status. */
function pluginNames(router: Router): string[] {
  const names: string[] = [];
  for (const [name, route] of router.catalog.tools)
    if (!route.server && !route.connect && name !== "gateway_status") names.push(name);
  return names;
}

/** The metric series a role may see: its servers, tools and prompts. */
function scopeOf(router: Router, role: Role): Scope | undefined {
  if (role.all) return undefined;
  const view = router.view(role);
  return {
    server: (name) => view.servers.has(name),
    name: (label, name) => (label === "tool" ? view.toolNames : view.promptNames).has(name),
  };
}

export interface Ops {
  readonly auth: TokenAuth;
  /**
   * The answer when the request is refused or is an ops route; otherwise who is asking (for the
   * MCP routes). `closing`: /healthz says so.
   */
  route(req: Request, closing: boolean): Promise<Response | Principal>;
}

export function createOps(ctx: OpsContext, bindHost: string): Ops {
  const observe = ctx.router.observe;
  const policy = new HostPolicy(ctx.config, bindHost);
  const auth = new TokenAuth(() => ctx.router.settings);
  return {
    auth,
    async route(req, closing) {
      const refused = policy.check(req);
      if (refused) {
        observe.refused("origin");
        return refused;
      }
      const path = new URL(req.url).pathname;
      if (path === "/healthz")
        return closing
          ? Response.json({ status: "closing" }, { status: 503 })
          : Response.json({ status: "ok" });
      const principal = auth.authenticate(req);
      if (principal instanceof Response) {
        observe.refused("auth");
        return principal;
      }
      if (path === "/status" && req.method === "GET")
        return Response.json(gatewayStatus(ctx.router, principal.role, pluginNames(ctx.router)));
      if (path === "/metrics" && req.method === "GET")
        return ctx.metrics
          ? ctx.metrics.render(req.headers.get("accept"), scopeOf(ctx.router, principal.role))
          : rpcErrorResponse(404, -32000, "Not found: /metrics (metrics are off in the config)");
      return principal;
    },
  };
}
