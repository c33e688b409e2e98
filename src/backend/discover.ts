/**
 * A backend's era, found the way the spec tells a dual-era client to: `server/discover` first; a
 * discover result naming a modern version we speak means modern; any other answer, or none within
 * the probe time, means legacy (then `initialize`). The answer is cached with the schemas.
 */
import { SERVER_INFO_META_KEY } from "../era/keys.ts";
import { LATEST_MODERN, MODERN_VERSIONS } from "../era/versions.ts";
import { GatewayError } from "../errors.ts";
import type { ServerInfo } from "../protocol.ts";
import type { Connection } from "./connection.ts";
import { envelop } from "./envelope.ts";
import { RELAYED_CAPABILITIES } from "./handshake.ts";

/** How long a backend of unknown era may stay silent on server/discover before it counts as legacy. */
export const PROBE_MS = 5000;

/** The process answered the probe by exiting: start it again and initialize. */
export class ProbeClosed extends Error {}

const asObject = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * server/discover on `conn`: the backend's info when it speaks a modern version we speak,
 * undefined when it is legacy. `known` (from the cache) skips the probe's patience.
 */
export async function discover(
  conn: Connection,
  timeoutMs: number,
  known: boolean,
): Promise<ServerInfo | undefined> {
  let result: Record<string, unknown>;
  try {
    result = await conn.request(
      "server/discover",
      envelop(undefined, LATEST_MODERN, RELAYED_CAPABILITIES),
      known ? timeoutMs : Math.min(timeoutMs, PROBE_MS),
    );
  } catch (e) {
    if (conn.isClosed) throw new ProbeClosed();
    if (e instanceof GatewayError && e.code !== "CALL_TIMEOUT") throw e;
    return undefined;
  }
  const offered = Array.isArray(result.supportedVersions) ? result.supportedVersions : [];
  const version = MODERN_VERSIONS.find((v) => offered.includes(v));
  if (!version) return undefined;
  const info: ServerInfo = {
    era: "modern",
    protocolVersion: version,
    capabilities: asObject(result.capabilities),
  };
  const serverInfo = asObject(result._meta)[SERVER_INFO_META_KEY];
  if (serverInfo !== undefined) info.serverInfo = asObject(serverInfo);
  if (typeof result.instructions === "string") info.instructions = result.instructions;
  conn.modernVersion = version;
  conn.channel.setProtocolVersion?.(version);
  return info;
}
