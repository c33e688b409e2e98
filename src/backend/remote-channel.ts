import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/client";
import { SSEClientTransport, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { errorMessage } from "../errors.ts";
import type { RpcMessage } from "../jsonrpc.ts";
import type { Channel } from "./channel.ts";

export type RemoteMode = "http" | "sse";

/**
 * A remote backend through the SDK's client transports (Streamable HTTP or
 * legacy SSE). The SDK handles sessions, reconnection and the protocol header;
 * this only adapts its Transport to the gateway's Channel.
 */
export class RemoteChannel implements Channel {
  onmessage?: (message: RpcMessage) => void;
  onclose?: (reason: string) => void;
  onerror?: (error: Error) => void;
  private readonly transport: Transport;
  private closing = false;
  private lastError = "";

  constructor(
    url: string,
    headers: Record<string, string>,
    readonly mode: RemoteMode,
  ) {
    const requestInit = { headers };
    this.transport =
      mode === "http"
        ? new StreamableHTTPClientTransport(new URL(url), { requestInit })
        : new SSEClientTransport(new URL(url), {
            requestInit,
            // The SSE GET is made by eventsource, which needs the headers separately.
            eventSourceInit: {
              fetch: (u, init) => fetch(u, { ...init, headers: { ...init?.headers, ...headers } }),
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
    this.transport
      .send(message as JSONRPCMessage, headers ? { headers } : undefined)
      .catch((e: unknown) => {
        this.lastError = errorMessage(e);
        // A request whose POST failed will never be answered: answer it with the error.
        if ("method" in message && "id" in message && message.id !== undefined)
          this.onmessage?.({
            jsonrpc: "2.0",
            id: message.id,
            error: { code: -32603, message: `request failed: ${this.lastError}` },
          });
        else this.onerror?.(e instanceof Error ? e : new Error(String(e)));
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
