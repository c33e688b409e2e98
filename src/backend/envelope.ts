/** The per-request `_meta` envelope the gateway puts on every request to a modern backend. */
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
} from "../era/keys.ts";
import type { Params } from "../jsonrpc.ts";
import { VERSION } from "../version.ts";

export const GATEWAY_CLIENT_INFO = { name: "mcp-gateway", version: VERSION };

/**
 * `params` with the gateway's envelope: the caller's capabilities (what the backend may ask for)
 * and log level. Other `_meta` keys (progress token, trace context) pass on; a modern client's own
 * envelope keys are replaced by the gateway's, since the gateway is the backend's client.
 */
export function envelop(
  params: Params | undefined,
  version: string,
  capabilities: Record<string, unknown>,
  logLevel?: string,
): Params {
  const meta: Record<string, unknown> = { ...params?._meta };
  meta[PROTOCOL_VERSION_META_KEY] = version;
  meta[CLIENT_CAPABILITIES_META_KEY] = capabilities;
  meta[CLIENT_INFO_META_KEY] = GATEWAY_CLIENT_INFO;
  if (logLevel) meta[LOG_LEVEL_META_KEY] = logLevel;
  else delete meta[LOG_LEVEL_META_KEY];
  return { ...params, _meta: meta };
}

const ENVELOPE_KEYS = [
  PROTOCOL_VERSION_META_KEY,
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
];

/** A modern client's request for a legacy backend: the envelope is the modern era's, not its. */
export function stripEnvelope(params: Params | undefined): Params | undefined {
  const meta = params?._meta;
  if (!meta || !ENVELOPE_KEYS.some((k) => k in meta)) return params;
  const rest: Record<string, unknown> = { ...meta };
  for (const k of ENVELOPE_KEYS) delete rest[k];
  const { _meta: _drop, ...others } = params;
  return Object.keys(rest).length > 0 ? { ...others, _meta: rest } : others;
}
