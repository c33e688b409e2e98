// The MCP SDK's own client (v2) as a bench client: what users run, beside the raw clients. Calls
// go through `client.request` with a loose result schema, so nothing is validated away; the
// transport is the SDK's for HTTP and SSE, and a thin one over the pipes the harness spawned for
// stdio (the SDK's StdioClientTransport would spawn the process itself, out of the harness's reach).
import {
  Client as SdkClient,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport,
} from "@modelcontextprotocol/client";
import type { FileSink } from "bun";
import { z } from "zod";
import { isConnectError } from "./client-http.ts";
import { MODERN_VERSION } from "./client-modern.ts";
import type { Client, Message, Template } from "./rpc.ts";
import type { Launched } from "./way.ts";

const Loose = z.looseObject({});

/** Newline-delimited JSON-RPC over a child's pipes, as an SDK transport. */
class PipeTransport implements Transport {
  onmessage?: Transport["onmessage"];
  onclose?: () => void;
  onerror?: (error: Error) => void;

  constructor(
    private readonly stdin: FileSink,
    private readonly stdout: ReadableStream<Uint8Array>,
  ) {}

  async start(): Promise<void> {
    void this.read();
  }

  async send(message: Parameters<Transport["send"]>[0]): Promise<void> {
    this.stdin.write(`${JSON.stringify(message)}\n`);
    this.stdin.flush();
  }

  async close(): Promise<void> {
    try {
      this.stdin.end();
    } catch {
      // already closed
    }
    this.onclose?.();
  }

  private async read(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of this.stdout) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        if (line.trim()) this.onmessage?.(JSON.parse(line));
      }
    }
  }
}

export type SdkMode = "stdio" | "streamable" | "sse" | "modern";

/** The SDK client as the harness's Client: templates become requests once, then are cached. */
class SdkBenchClient implements Client {
  private readonly requests = new WeakMap<Template, { method: string; params: object }>();

  constructor(private readonly sdk: SdkClient) {}

  async call(t: Template): Promise<Message> {
    let req = this.requests.get(t);
    if (!req) {
      const msg = JSON.parse(`${t.head}0${t.tail}`) as { method: string; params?: object };
      req = { method: msg.method, params: msg.params ?? {} };
      this.requests.set(t, req);
    }
    try {
      const result = await this.sdk.request(req as never, Loose, { timeout: 60_000 });
      return { id: 0, result: result as Message["result"] };
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      return {
        id: 0,
        error: { code: typeof code === "number" ? code : -1, message: String(e) },
      };
    }
  }

  async notify(): Promise<void> {}

  async close(): Promise<void> {
    await this.sdk.close().catch(() => {});
  }
}

function transportFor(mode: SdkMode, launched: Launched, url: string | undefined): Transport {
  const { child } = launched;
  if (mode === "stdio") {
    if (!child.stdin || !child.stdout) throw new Error("no pipes");
    return new PipeTransport(child.stdin, child.stdout);
  }
  if (!url) throw new Error("no URL");
  return mode === "sse"
    ? new SSEClientTransport(new URL(url))
    : new StreamableHTTPClientTransport(new URL(url));
}

/** Connects the SDK client (retrying while an HTTP server is not listening yet). */
export async function connectSdk(
  mode: SdkMode,
  launched: Launched,
  url: string | undefined,
  deadline: number,
): Promise<Client> {
  for (;;) {
    const sdk = new SdkClient(
      { name: "mcp-gateway-bench-sdk", version: "1" },
      mode === "modern" ? { versionNegotiation: { mode: { pin: MODERN_VERSION } } } : {},
    );
    try {
      await sdk.connect(transportFor(mode, launched, url));
      return new SdkBenchClient(sdk);
    } catch (e) {
      await sdk.close().catch(() => {});
      if (mode === "stdio" || !isConnectError(e) || Date.now() > deadline) throw e;
      await Bun.sleep(10);
    }
  }
}
