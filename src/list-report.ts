import type { GatewayConfig } from "./config/schema.ts";
import type { Role } from "./router/roles.ts";
import type { Router } from "./router/router.ts";

export interface ListReport {
  servers: Array<{
    name: string;
    kind: "stdio" | "remote";
    enabled: boolean;
    state: string;
    source: "cache" | "live" | "placeholder" | "disabled";
    tools: number;
  }>;
  /** Exposed tool names the role sees, with where each goes. */
  tools: Array<{ name: string; server?: string; original?: string }>;
  role?: string;
}

/** What `mcp-gateway list` prints: servers, and the exposed names this role sees. */
export function buildListReport(config: GatewayConfig, router: Router, role: Role): ListReport {
  const handles = new Map(router.serverHandles.map((h) => [h.name, h]));
  const servers: ListReport["servers"] = Object.entries(config.servers).map(([name, s]) => {
    const h = handles.get(name);
    const kind = "url" in s ? "remote" : "stdio";
    if (!h) return { name, kind, enabled: false, state: "disabled", source: "disabled", tools: 0 };
    return {
      name,
      kind,
      enabled: true,
      state: h.displayState,
      source: h.source ?? "placeholder",
      tools: h.lists?.tools.length ?? 0,
    };
  });
  const view = router.view(role);
  const tools = view.tools.map((def) => {
    const route = router.catalog.tools.get(def.name);
    const server = route?.server?.name;
    return server ? { name: def.name, server, original: route?.original } : { name: def.name };
  });
  const report: ListReport = { servers, tools };
  if (role.name) report.role = role.name;
  return report;
}
