import type { Lane } from "../backend/lane.ts";
import type { ServerHandle } from "../backend/server.ts";
import { DISCOVERY } from "../backend/sessions-pool.ts";
import type { Caller, Target } from "../backend/types.ts";
import { redact } from "../log.ts";
import { ok } from "../replies.ts";
import { VERSION } from "../version.ts";
import type { LocalTool } from "./catalog.ts";
import { isClient } from "./client.ts";
import { configFor } from "./config-status.ts";
import { ALL, type Role } from "./roles.ts";
import type { Router } from "./router.ts";
import { CALL_TOOL, SEARCH_TOOL } from "./tool-search.ts";

/** Built-in tools that are not plugins, though they live among the local tools. */
const BUILT_IN_TOOLS = new Set(["gateway_status", SEARCH_TOOL, CALL_TOOL]);

const started = Date.now();
const secondsSince = (t: number) => Math.round((Date.now() - t) / 100) / 10;

/** One process of a per_session server: whose it is, and how it is doing. */
export interface InstanceStatus {
  session: string;
  state: string;
  pid: number | null;
  uptime_s: number | null;
  idle_s: number | null;
  in_flight: number;
  calls: number;
  errors: number;
  restarts: number;
  last_error: string | null;
}

export interface ServerStatus {
  name: string;
  kind: "stdio" | "remote";
  state: string;
  pid: number | null;
  uptime_s: number | null;
  idle_s: number | null;
  schemas: "cache" | "live" | "placeholder";
  tools: number;
  in_flight: number;
  calls: number;
  errors: number;
  restarts: number;
  last_error: string | null;
  /** A remote server's OAuth login: pending (with the URL to open), logged in/out; never a token. */
  login?: NonNullable<ServerHandle["login"]>;
  /**
   * `share: per_session` only: sessions holding a process now, the limit, and the processes (a
   * role that sees everything gets every session's; another its caller's own only).
   */
  share?: "per_session";
  sessions?: number;
  max_sessions?: number;
  instances?: InstanceStatus[];
}

/** How one backend process is doing (uptime and idle time only while it runs). */
function processStatus(l: Lane) {
  const running = l.state === "running";
  return {
    state: l.displayState,
    pid: l.pid ?? null,
    uptime_s: running ? secondsSince(l.startedAt) : null,
    idle_s: running && l.inFlight === 0 ? secondsSince(l.lastUsed) : null,
  };
}

/** A server's status; `own`: which of a per_session server's processes the caller may see. */
export function serverStatus(
  h: ServerHandle,
  own: (l: Lane) => boolean = () => true,
): ServerStatus {
  const [shared] = h.sessions ? [] : h.lanes;
  const status: ServerStatus = {
    name: h.name,
    kind: h.kind,
    ...(shared
      ? processStatus(shared)
      : { state: h.displayState, pid: null, uptime_s: null, idle_s: null }),
    schemas: h.source ?? "placeholder",
    tools: h.lists?.tools.length ?? 0,
    in_flight: h.inFlight,
    calls: h.stats.calls,
    errors: h.stats.errors,
    restarts: h.stats.restarts,
    // Errors can quote a backend's stderr; secrets are masked like in logs.
    last_error: h.lastError ? redact(h.lastError) : null,
    ...(h.login ? { login: h.login } : {}),
  };
  if (!h.sessions) return status;
  status.share = "per_session";
  status.sessions = h.sessions.active;
  status.max_sessions = h.sessions.max;
  status.instances = h.lanes.filter(own).map((l) => ({
    session: l.owner?.key ?? DISCOVERY,
    ...processStatus(l),
    in_flight: l.inFlight,
    calls: l.stats.calls,
    errors: l.stats.errors,
    restarts: l.stats.restarts,
    last_error: l.lastError ? redact(l.lastError) : null,
  }));
  return status;
}

/** The gateway's status as the caller's role may see it: no hidden server, no secret. */
export function gatewayStatus(router: Router, role: Role, plugins: string[], caller?: Caller) {
  const view = router.view(role);
  const search = router.toolSearch?.status(role, caller);
  const config = router.configStatus?.();
  return {
    gateway: {
      version: VERSION,
      pid: process.pid,
      uptime_s: secondsSince(started),
      sessions: router.sessions.size,
    },
    ...(config ? { config: configFor(role, config) } : {}),
    role: role.name ?? null,
    servers: router.serverHandles
      .filter((h) => view.servers.has(h.name))
      .map((h) =>
        serverStatus(h, (l) => role.all || (!!l.owner && l.owner.key === caller?.owner?.key)),
      ),
    plugins: plugins.filter((p) => view.toolNames.has(p) && !BUILT_IN_TOOLS.has(p)),
    tool_search: search ?? { mode: "off" },
  };
}

/** The built-in `gateway_status` tool. */
export function statusTool(router: () => Router, plugins: () => string[]): LocalTool {
  const target: Target = {
    name: "built-in gateway_status",
    forward(_method, _params, caller: Caller, done) {
      const role = isClient(caller) ? caller.role : ALL;
      const status = gatewayStatus(router(), role, plugins(), caller);
      done(
        ok({
          content: [{ type: "text", text: JSON.stringify(status, null, 2) }],
          structuredContent: status,
        }),
      );
      return () => {};
    },
  };
  return {
    target,
    def: {
      name: "gateway_status",
      title: "Gateway status",
      description:
        "State of every MCP server behind this gateway (stopped, starting, running, backing off, failed), with pid, uptime, idle time, tool count, calls, errors and restarts; the plugin tools; and the caller's role.",
      inputSchema: { type: "object", properties: {} },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
  };
}
