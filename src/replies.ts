/** Replies the gateway makes itself: results, JSON-RPC errors, tool errors; every message masked. */
import { GatewayError } from "./errors.ts";
import { ErrorCode, RpcError, type RpcResponse } from "./jsonrpc.ts";
import { redact } from "./log.ts";

/** A reply before the session puts the client's id on it. */
export type Reply = RpcResponse;

export const ok = (result: Record<string, unknown>): Reply => ({ jsonrpc: "2.0", id: 0, result });

export const fail = (code: number, message: string, data?: unknown): Reply => ({
  jsonrpc: "2.0",
  id: 0,
  error: data === undefined ? { code, message } : { code, message, data },
});

/** The gateway's own failure of a tool call, shown to the model as a tool error. */
export const toolError = (message: string): Reply =>
  ok({ content: [{ type: "text", text: redact(message) }], isError: true });

/** The gateway's own failure of any other request, as a JSON-RPC error. */
export function gatewayFailure(e: GatewayError): Reply {
  const code = e.code === "CALL_TIMEOUT" ? ErrorCode.RequestTimeout : ErrorCode.InternalError;
  return fail(code, redact(e.message));
}

/** Convert anything the router threw into the reply for the client. */
export function thrownReply(e: unknown): Reply {
  if (e instanceof RpcError) return fail(e.code, redact(e.message), e.data);
  if (e instanceof GatewayError) return gatewayFailure(e);
  return fail(ErrorCode.InternalError, redact(e instanceof Error ? e.message : String(e)));
}
