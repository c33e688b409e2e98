import { GatewayError } from "../errors.ts";
import { LATEST_VERSION, negotiate, PROTOCOL_VERSIONS, type ServerInfo } from "../protocol.ts";
import { VERSION } from "../version.ts";
import type { Connection } from "./connection.ts";

/**
 * The client-side capabilities the gateway can relay to its own clients. A backend
 * that uses one reaches the client whose request is in flight (or gets a clear error).
 */
export const RELAYED_CAPABILITIES = {
  sampling: {},
  elicitation: {},
  roots: { listChanged: true },
};

/** initialize + notifications/initialized, as a client of the backend. */
export async function handshake(
  conn: Connection,
  server: string,
  timeoutMs: number,
): Promise<ServerInfo> {
  const result = await conn.request(
    "initialize",
    {
      protocolVersion: LATEST_VERSION,
      capabilities: RELAYED_CAPABILITIES,
      clientInfo: { name: "mcp-gateway", version: VERSION },
    },
    timeoutMs,
  );
  const version = result.protocolVersion;
  if (
    typeof version !== "string" ||
    negotiate(version) !== version ||
    !PROTOCOL_VERSIONS.includes(version)
  )
    throw new GatewayError(
      "BACKEND_START",
      `server "${server}" answered initialize with unsupported protocol version ${JSON.stringify(version)}`,
    );
  conn.channel.setProtocolVersion?.(version);
  conn.notify("notifications/initialized");
  const info: ServerInfo = {
    era: "legacy",
    protocolVersion: version,
    capabilities: (result.capabilities as Record<string, unknown>) ?? {},
  };
  if (result.serverInfo) info.serverInfo = result.serverInfo as Record<string, unknown>;
  if (typeof result.instructions === "string") info.instructions = result.instructions;
  return info;
}
