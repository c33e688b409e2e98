/**
 * The `_meta` keys the protocol reserves, as the spec names them. Spelled out here rather than
 * imported from the SDK, whose package would otherwise be loaded by every gateway at start
 * (test/era/keys.test.ts holds them equal to the SDK's own constants).
 */
export const PROTOCOL_VERSION_META_KEY = "io.modelcontextprotocol/protocolVersion";
export const CLIENT_CAPABILITIES_META_KEY = "io.modelcontextprotocol/clientCapabilities";
export const CLIENT_INFO_META_KEY = "io.modelcontextprotocol/clientInfo";
export const LOG_LEVEL_META_KEY = "io.modelcontextprotocol/logLevel";
export const SERVER_INFO_META_KEY = "io.modelcontextprotocol/serverInfo";
export const SUBSCRIPTION_ID_META_KEY = "io.modelcontextprotocol/subscriptionId";
/** A task's messages (2025-11-25 tasks): the request, response or notification names its task. */
export const RELATED_TASK_META_KEY = "io.modelcontextprotocol/related-task";
