/**
 * The one error class of the gateway. Code decides how the error is shown at
 * the boundary: a tool error for the model, a JSON-RPC error for protocol misuse,
 * one line and exit status 2 for the CLI.
 */
export type ErrorCode =
  | "CONFIG" // a config file is missing, unreadable or invalid
  | "USAGE" // bad command line
  | "PLUGIN" // a plugin module failed to load
  | "BACKEND_START" // a backend could not be started or initialized
  | "BACKEND_EXIT" // a backend exited or its connection closed
  | "BACKEND_BACKOFF" // a backend failed repeatedly and is waiting before the next start
  | "BACKEND_DISABLED" // a backend is disabled in config
  | "SESSION_LIMIT" // a per_session server's max_sessions sessions hold a process already
  | "CALL_TIMEOUT" // a forwarded request passed call_timeout
  | "START_TIMEOUT" // a backend did not finish initialize in time
  | "LOGIN_REQUIRED" // a remote backend needs an OAuth login that has not happened (yet)
  | "CANCELLED" // the request was cancelled
  | "SEND" // a request could not be sent to a backend
  | "CLOSED"; // the gateway is shutting down

export class GatewayError extends Error {
  override readonly name = "GatewayError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export const isGatewayError = (e: unknown): e is GatewayError => e instanceof GatewayError;

/** The message of anything thrown, for logs and errors shown to users. */
export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
