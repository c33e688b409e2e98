import type { RpcMessage } from "../jsonrpc.ts";

/**
 * The gateway's transport contract (the SDK's `Transport`, narrowed to plain
 * JSON-RPC objects): start, send, close; messages and closing come back through
 * callbacks. Stdio and remote backends implement it; the RPC connection sits on top.
 */
export interface Channel {
  start(): Promise<void>;
  /**
   * Throws when the message cannot be encoded; a write failure goes to onerror. `headers`: extra
   * HTTP headers for this message (remote channels only).
   */
  send(message: RpcMessage, headers?: Record<string, string>): void;
  close(): Promise<void>;
  onmessage?: (message: RpcMessage) => void;
  /** The channel ended; `reason` says how (exit code and stderr tail for processes). */
  onclose?: (reason: string) => void;
  /** Something went wrong that did not end the channel (a junk line, a failed send). */
  onerror?: (error: Error) => void;
  /** The process id, for stdio channels. */
  readonly pid?: number;
  /** The last lines the backend wrote to stderr, for error messages. */
  stderrTail?(): string;
  /** Told the negotiated version after initialize (HTTP sends it as a header). */
  setProtocolVersion?(version: string): void;
}
