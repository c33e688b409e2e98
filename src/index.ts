/**
 * The module plugins and programs import as "mcp-gateway". Inside the compiled binary and
 * for plugin modules loaded from config, this very module is what that import resolves to
 * (src/backend/plugin-runtime.ts; the gateway hands the same values down, see `publicApi` in gateway.ts), so `z` here is the gateway's own zod instance.
 */

export type { ConfigInput, GatewayConfig } from "./config/schema.ts";
export { GatewayError } from "./errors.ts";
export {
  type GatewayOptions,
  type HttpServing,
  MCPGateway,
  type ServeHttpOptions,
} from "./gateway.ts";
export {
  type CallToolResultLike,
  type GatewayTool,
  isTool,
  type Shape,
  type ToolContext,
  type ToolHandler,
  type ToolOptions,
  type ToolReturn,
  tool,
  z,
} from "./plugin.ts";
