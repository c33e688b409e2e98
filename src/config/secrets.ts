import { type GatewayConfig, isRemote } from "./schema.ts";

/**
 * Every value in the config that may be a secret: servers' env values and
 * headers, and auth tokens. The CLI hands them to `addSecrets` so they are
 * masked in every log line, error and status.
 */
export function collectSecrets(config: GatewayConfig): string[] {
  const out: string[] = [];
  for (const s of Object.values(config.servers)) {
    out.push(...Object.values(isRemote(s) ? s.headers : s.env));
  }
  for (const t of config.auth?.tokens ?? []) out.push(t.token);
  return out;
}
