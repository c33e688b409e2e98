/** The running config's generation and last reload, as gateway_status and /status show them. */
import type { Role } from "./roles.ts";

export interface ConfigStatus {
  /** 1 for the config the gateway started with, one more for each reload that was applied. */
  generation: number;
  file: string | null;
  /** Whether file changes are picked up by themselves (else: SIGHUP, `mcp-gateway reload`). */
  watching: boolean;
  /** When the running config was applied (ISO time). */
  loaded_at: string;
  /** The last reload tried, applied or not; an error stays shown until a reload succeeds. */
  last_reload: { at: string; ok: boolean; error?: string; changes?: string[] } | null;
  /** Settings changed in the file that apply only after a restart (still the old values). */
  restart_needed: string[];
  /** Servers a reload removed or replaced, finishing their calls in flight before they stop. */
  draining: { name: string; pid: number | null; in_flight: number }[];
}

/**
 * Config errors and change lists name servers and files: only a role that sees everything
 * gets them; others see that a reload failed, not why.
 */
export function configFor(role: Role, c: ConfigStatus): ConfigStatus {
  if (role.all) return c;
  const last = c.last_reload;
  return {
    ...c,
    file: null,
    draining: [],
    last_reload: last && {
      at: last.at,
      ok: last.ok,
      ...(last.error ? { error: "(hidden from this role)" } : {}),
    },
  };
}
