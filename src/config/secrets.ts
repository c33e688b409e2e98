import { type GatewayConfig, isRemote } from "./schema.ts";

/** `Bearer x`, `Basic x`, `Token x`: the credential alone also leaks when a server echoes it. */
const SCHEME = /^\s*(?:bearer|basic|token|apikey|api-key)\s+(\S+)\s*$/i;

/**
 * Every value in the config that may be a secret: servers' env values and
 * headers (and the credential inside an `Authorization`-style value), OAuth client
 * secrets, and auth tokens. (OAuth tokens are added by src/oauth/store.ts when read.) The CLI hands them to `addSecrets` so they are masked in every log
 * line, error and status.
 */
export function collectSecrets(config: GatewayConfig): string[] {
  const out: string[] = [];
  for (const s of Object.values(config.servers)) {
    for (const value of Object.values(isRemote(s) ? s.headers : s.env)) {
      out.push(value);
      const credential = SCHEME.exec(value)?.[1];
      if (credential) out.push(credential);
    }
    if (isRemote(s) && typeof s.oauth === "object" && s.oauth.client_secret)
      out.push(s.oauth.client_secret);
  }
  for (const t of config.auth?.tokens ?? []) out.push(t.token);
  const embeddingsKey = config.tool_search.embeddings?.api_key;
  if (embeddingsKey) out.push(embeddingsKey);
  return out;
}
