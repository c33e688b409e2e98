import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/client";
import {
  InsufficientScopeError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { errorMessage, GatewayError } from "../errors.ts";
import type { RpcMessage } from "../jsonrpc.ts";
import type { ServerAuth } from "../oauth/server-auth.ts";
import { tracing } from "../observe/trace-state.ts";
import type { Channel } from "./channel.ts";

export type RemoteMode = "http" | "sse";

/**
 * A remote backend through the SDK's client transports (Streamable HTTP or
 * legacy SSE). The SDK handles sessions, reconnection and the protocol header;
 * this only adapts its Transport to the gateway's Channel. With `auth`, the SDK asks it for
 * every request's token and tells it about a 401; a 403 insufficient_scope comes back here and
 * is stepped up once per request (src/oauth/server-auth.ts).
 */
export class RemoteChannel implements Channel {
  onmessage?: (message: RpcMessage) => void;
  onclose?: (reason: string) => void;
  onerror?: (error: Error) => void;
  private readonly transport: Transport;
  private closing = false;
  private lastError = "";
  /** Set when a request failed for want of a login (openBackend then stops trying). */
  loginNeeded?: string;

  constructor(
    url: string,
    headers: Record<string, string>,
    readonly mode: RemoteMode,
    private readonly auth?: ServerAuth,
  ) {
    const requestInit = { headers };
    this.transport =
      mode === "http"
        ? new StreamableHTTPClientTransport(new URL(url), {
            requestInit,
            authProvider: auth,
            // Step-up runs here, not in the SDK transport: it must wait for a person and be bounded across requests.
            onInsufficientScope: "throw",
          })
        : new SSEClientTransport(new URL(url), {
            requestInit,
            authProvider: auth,
            // The SSE GET is made by eventsource, which needs the headers separately.
            eventSourceInit: {
              fetch: (u, init) => {
                // The SDK hands a Headers object (with the token): keep it, add what is missing.
                const merged = new Headers(init?.headers);
                for (const [k, v] of Object.entries(headers)) if (!merged.has(k)) merged.set(k, v);
                return fetch(u, { ...init, headers: merged });
              },
            },
          });
    this.transport.onmessage = (m) => this.onmessage?.(m as RpcMessage);
    this.transport.onerror = (e) => {
      this.lastError = errorMessage(e);
      this.onerror?.(e);
    };
    this.transport.onclose = () =>
      this.onclose?.(
        this.closing
          ? "stopped"
          : `closed the connection${this.lastError ? ` (${this.lastError})` : ""}`,
      );
  }

  start(): Promise<void> {
    return this.transport.start();
  }

  send(message: RpcMessage, headers?: Record<string, string>): void {
    // With traces on, the request's trace context goes as W3C headers too (HTTP-level tracing).
    const trace = tracing && "params" in message ? tracing.headers(message.params) : undefined;
    void this.deliver(message, trace ? { ...headers, ...trace } : headers, false);
  }

  private async deliver(
    message: RpcMessage,
    headers: Record<string, string> | undefined,
    steppedUp: boolean,
  ): Promise<void> {
    try {
      await this.transport.send(message as JSONRPCMessage, headers ? { headers } : undefined);
      if (steppedUp) this.auth?.stepUpWorked();
    } catch (e) {
      if (this.auth && !steppedUp && !this.closing && e instanceof InsufficientScopeError) {
        try {
          await this.auth.stepUp(e.requiredScope, e.resourceMetadataUrl);
        } catch (stepUpError) {
          return this.failed(message, stepUpError);
        }
        return this.deliver(message, headers, true);
      }
      this.failed(message, e);
    }
  }

  /** A request whose POST failed will never be answered: answer it with the error. */
  private failed(message: RpcMessage, e: unknown): void {
    this.lastError = errorMessage(e);
    const login = e instanceof GatewayError && e.code === "LOGIN_REQUIRED";
    if (login) this.loginNeeded = this.lastError;
    if (!("method" in message && "id" in message && message.id !== undefined)) {
      this.onerror?.(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    const { id } = message;
    // A tool call that needs a login is the model's business: it gets a tool error with the link.
    if (login && message.method === "tools/call")
      this.onmessage?.({
        jsonrpc: "2.0",
        id,
        result: { content: [{ type: "text", text: this.lastError }], isError: true },
      });
    else
      this.onmessage?.({
        jsonrpc: "2.0",
        id,
        error: {
          code: -32603,
          message: login ? this.lastError : `request failed: ${this.lastError}`,
        },
      });
  }

  setProtocolVersion(version: string): void {
    this.transport.setProtocolVersion?.(version);
  }

  async close(): Promise<void> {
    this.closing = true;
    // A server that does not answer the DELETE must not hold up a stop or the gateway's exit.
    if (this.transport instanceof StreamableHTTPClientTransport)
      await Promise.race([this.transport.terminateSession().catch(() => {}), Bun.sleep(2000)]);
    await this.transport.close().catch(() => {});
  }
}
