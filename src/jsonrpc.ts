/**
 * JSON-RPC 2.0 as the gateway sees it on the forwarding path: plain objects,
 * no schema validation, so nothing a backend says is dropped or re-shaped.
 */
export type Id = string | number;
export type Params = { [key: string]: unknown; _meta?: Meta };
export type Meta = { [key: string]: unknown; progressToken?: Id };

export interface RpcRequest {
  jsonrpc: "2.0";
  id: Id;
  method: string;
  params?: Params;
}
export interface RpcNotification {
  jsonrpc: "2.0";
  method: string;
  params?: Params;
}
export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}
export interface RpcResponse {
  jsonrpc: "2.0";
  id: Id | null;
  result?: Record<string, unknown>;
  error?: RpcErrorObject;
}
export type RpcMessage = RpcRequest | RpcNotification | RpcResponse;

export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** MCP: a forwarded request timed out. */
  RequestTimeout: -32001,
  /** MCP: resources/read of an unknown URI. */
  ResourceNotFound: -32002,
} as const;

/** A JSON-RPC error to answer with; thrown inside the router, converted by the session. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
  toObject(): RpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

export const isRequest = (m: RpcMessage): m is RpcRequest =>
  "method" in m && "id" in m && m.id !== undefined && m.id !== null;
export const isNotification = (m: RpcMessage): m is RpcNotification =>
  "method" in m && !("id" in m && m.id !== undefined && m.id !== null);
export const isResponse = (m: RpcMessage): m is RpcResponse => !("method" in m);

export const isId = (v: unknown): v is Id =>
  typeof v === "string" || (typeof v === "number" && Number.isFinite(v));

export const errorResponse = (id: Id | null, error: RpcErrorObject): RpcResponse => ({
  jsonrpc: "2.0",
  id,
  error,
});

export const resultResponse = (id: Id, result: Record<string, unknown>): RpcResponse => ({
  jsonrpc: "2.0",
  id,
  result,
});

/**
 * Check that a parsed value is a well-formed JSON-RPC message. Returns an error
 * object (to answer with) when it is not; the gateway never throws on bad input.
 */
export function validateMessage(v: unknown): RpcErrorObject | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    return { code: ErrorCode.InvalidRequest, message: "Invalid Request: not a JSON-RPC object" };
  const m = v as Record<string, unknown>;
  if (m.jsonrpc !== "2.0")
    return { code: ErrorCode.InvalidRequest, message: 'Invalid Request: jsonrpc must be "2.0"' };
  if ("method" in m) {
    if (typeof m.method !== "string")
      return {
        code: ErrorCode.InvalidRequest,
        message: "Invalid Request: method must be a string",
      };
    if ("id" in m && m.id !== undefined && !isId(m.id))
      return { code: ErrorCode.InvalidRequest, message: "Invalid Request: bad id" };
    if (
      m.params !== undefined &&
      (typeof m.params !== "object" || m.params === null || Array.isArray(m.params))
    )
      return { code: ErrorCode.InvalidParams, message: "Invalid params: params must be an object" };
    return undefined;
  }
  if ("result" in m || "error" in m) return undefined;
  return {
    code: ErrorCode.InvalidRequest,
    message: "Invalid Request: neither a request nor a response",
  };
}

/** The id of a malformed message when one can be read, so the error can be answered to it. */
export const idOf = (v: unknown): Id | null => {
  if (typeof v === "object" && v !== null && "id" in v) {
    const id = (v as { id: unknown }).id;
    if (isId(id)) return id;
  }
  return null;
};
