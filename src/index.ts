/** The module plugins and programs import as "mcp-gateway". */

export type { ConfigInput, GatewayConfig } from "./config/schema.ts";
export { GatewayError } from "./errors.ts";
export {
  type GatewayOptions,
  type HttpServing,
  MCPGateway,
  type ServeHttpOptions,
} from "./gateway.ts";
export {
  type GatewayTool,
  isTool,
  type ToolContext,
  type ToolHandler,
  type ToolOptions,
  tool,
  z,
} from "./plugin.ts";
