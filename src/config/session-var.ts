/**
 * `${MCP_GATEWAY_SESSION}`: the one variable filled per process, not when the config loads. A
 * `share: per_session` server's processes each get their own value (random, safe in a file
 * name) in their environment and wherever the server's settings say `${MCP_GATEWAY_SESSION}`:
 * a server that keeps state on disk (server-memory's MEMORY_FILE_PATH, a browser profile) then
 * keeps it per session too.
 */
import { randomBytes } from "node:crypto";

export const SESSION_VAR = "MCP_GATEWAY_SESSION";
export const SESSION_REF = `\${${SESSION_VAR}}`;

/** A new value: 12 hex digits, unique for the gateway's life (and past it, in practice). */
export const newSessionValue = (): string => randomBytes(6).toString("hex");

/** True when a setting of `config` refers to the variable. */
export const usesSessionVar = (config: unknown): boolean =>
  JSON.stringify(config).includes(SESSION_REF);

/** `config` for one process: every reference filled with `value`, and a stdio server's env has it. */
export function forSession<C extends object>(config: C, value: string): C {
  const fill = (v: unknown): unknown =>
    typeof v === "string"
      ? v.replaceAll(SESSION_REF, value)
      : Array.isArray(v)
        ? v.map(fill)
        : v !== null && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]))
          : v;
  const filled = fill(config) as C & { env?: Record<string, string> };
  if ("command" in filled) filled.env = { ...filled.env, [SESSION_VAR]: value };
  return filled;
}
