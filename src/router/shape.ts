/**
 * Results as a modern client must get them: `resultType` on every result, cache hints on the
 * cacheable ones, the gateway's identity in `_meta`, and the modern resource-not-found code.
 * Every reply is rebuilt as a fresh object, so nothing kept from the backend's raw line (src/raw.ts)
 * can bypass the change.
 */
import { SERVER_INFO_META_KEY } from "../era/keys.ts";
import { ErrorCode, type Id, type RpcResponse } from "../jsonrpc.ts";
import { VERSION } from "../version.ts";

const CACHEABLE = new Set([
  "server/discover",
  "tools/list",
  "prompts/list",
  "resources/list",
  "resources/templates/list",
  "resources/read",
]);
const LISTS = new Set(["tools/list", "prompts/list", "resources/list", "resources/templates/list"]);

export const SERVER_INFO = { name: "mcp-gateway", version: VERSION };

export interface CacheHints {
  /** Freshness of the gateway's own lists, in ms (0 while a list may still change on discovery). */
  listTtlMs: number;
  /** "private" when what a caller sees depends on who it is (roles, tokens, tool search). */
  listScope: "public" | "private";
}

/** The reply `reply` (for `method`) as a modern client gets it, under `id`. */
export function shapeModern(
  method: string,
  reply: RpcResponse,
  id: Id,
  hints: CacheHints,
): RpcResponse {
  if (reply.error) {
    const error =
      reply.error.code === ErrorCode.ResourceNotFound
        ? { ...reply.error, code: ErrorCode.InvalidParams }
        : reply.error;
    return { jsonrpc: "2.0", id, error };
  }
  const result: Record<string, unknown> = { ...reply.result };
  result.resultType ??= "complete";
  if (result.resultType === "complete" && CACHEABLE.has(method)) {
    const list = LISTS.has(method) || method === "server/discover";
    if (typeof result.ttlMs !== "number" || result.ttlMs < 0)
      result.ttlMs = list ? hints.listTtlMs : 0;
    // A list the gateway assembled follows the gateway's rule; a read keeps its backend's word.
    if (list || (result.cacheScope !== "public" && result.cacheScope !== "private"))
      result.cacheScope = list ? hints.listScope : "private";
  }
  const meta = result._meta;
  const own = typeof meta === "object" && meta !== null ? (meta as Record<string, unknown>) : {};
  if (own[SERVER_INFO_META_KEY] === undefined)
    result._meta = { ...own, [SERVER_INFO_META_KEY]: SERVER_INFO };
  return { jsonrpc: "2.0", id, result };
}

/** A modern backend's result for a legacy client: the era's own vocabulary left out. */
export function shapeLegacy(reply: RpcResponse): RpcResponse {
  if (!reply.result || reply.result.resultType === undefined) return reply;
  const { resultType: _drop, ...result } = reply.result;
  return { jsonrpc: "2.0", id: reply.id, result };
}
