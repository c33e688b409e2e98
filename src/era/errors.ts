/** The error codes of the modern era, and the HTTP status each is answered with on Streamable HTTP. */
import { ErrorCode } from "../jsonrpc.ts";

export const ModernError = {
  /** HTTP headers disagree with the body, or a required header is missing or malformed. */
  HeaderMismatch: -32020,
  /** The request needs a client capability the client did not declare. */
  MissingRequiredClientCapability: -32021,
  /** The request names a protocol version the server does not speak. */
  UnsupportedProtocolVersion: -32022,
} as const;

/**
 * HTTP status of a modern error answer: 400 for the request's own protocol faults, 404 for
 * unknown methods; anything a handler answers (invalid params included) stays in-band at 200.
 * A malformed envelope (-32602 with 400) is refused before dispatch, by the front.
 */
export function httpStatusOf(code: number): number {
  switch (code) {
    case ModernError.HeaderMismatch:
    case ModernError.MissingRequiredClientCapability:
    case ModernError.UnsupportedProtocolVersion:
    case ErrorCode.InvalidRequest:
    case ErrorCode.ParseError:
      return 400;
    case ErrorCode.MethodNotFound:
      return 404;
    default:
      return 200;
  }
}
