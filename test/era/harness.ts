// A gateway in front of one legacy-only server (the SDK v1 conformance fixture, as `legacy_*`) and
// one dual-era server (the SDK v2 fixture, as `dual_*`), both over stdio, served over HTTP; and
// the SDK v2 clients that talk to it in either era.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { MCPGateway } from "../../src/gateway.ts";
import { CONFORMANCE_SERVER, DUAL_ERA_SERVER } from "../conformance/hosts.ts";

export const MODERN = "2026-07-28";
export type Era = "legacy" | "modern";

export interface EraGateway {
  url: string;
  gw: MCPGateway;
  close(): Promise<void>;
}

/** The gateway; with `tokens`, each token gets the admin role. */
export async function startGateway(tokens: string[] = []): Promise<EraGateway> {
  const cacheDir = mkdtempSync(join(tmpdir(), "mcp-gateway-era-"));
  const gw = new MCPGateway({
    config: {
      servers: {
        legacy: { command: process.execPath, args: [CONFORMANCE_SERVER] },
        dual: { command: process.execPath, args: [DUAL_ERA_SERVER, "--stdio"] },
      },
      roles: { admin: null },
      ...(tokens.length > 0 && {
        auth: { tokens: tokens.map((token) => ({ token, role: "admin" })) },
      }),
    },
    cacheDir,
  });
  await gw.list({ refresh: true });
  const { url } = await gw.serveHttp({ port: 0 });
  return {
    url,
    gw,
    async close() {
      await gw.close();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

export interface Asked {
  sampling: number;
  elicitation: number;
  roots: number;
}

/** A client of `era` with every client capability, counting what it was asked. */
export async function connect(
  url: string,
  era: Era,
  opts: { token?: string; capabilities?: Record<string, unknown> } = {},
): Promise<{ client: Client; asked: Asked }> {
  const asked: Asked = { sampling: 0, elicitation: 0, roots: 0 };
  const client = new Client(
    { name: `era-test-${era}`, version: "1.0.0" },
    {
      capabilities: opts.capabilities ?? { sampling: {}, elicitation: {}, roots: {} },
      ...(era === "modern" && { versionNegotiation: { mode: { pin: MODERN } } }),
    },
  );
  client.setRequestHandler("sampling/createMessage", () => {
    asked.sampling++;
    return {
      role: "assistant",
      content: { type: "text", text: "Paris" },
      model: "test-model",
      stopReason: "endTurn",
    };
  });
  client.setRequestHandler("elicitation/create", (req) => {
    asked.elicitation++;
    const schema = req.params.mode === "url" ? undefined : req.params.requestedSchema;
    const content: Record<string, string> =
      schema && "color" in schema.properties ? { color: "teal" } : { name: "Alice" };
    return { action: "accept", content };
  });
  client.setRequestHandler("roots/list", () => {
    asked.roots++;
    return { roots: [{ uri: "file:///tmp/era-root", name: "era-root" }] };
  });
  const headers = opts.token ? { Authorization: `Bearer ${opts.token}` } : undefined;
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), headers ? { requestInit: { headers } } : {}),
  );
  return { client, asked };
}

export const textOf = (result: { content?: unknown }): string => {
  const block = Array.isArray(result.content) ? result.content[0] : undefined;
  return typeof block?.text === "string" ? block.text : "";
};

/** A raw modern POST with conformant headers; the parsed JSON answer and its status. */
export async function modernPost(
  url: string,
  id: number | string,
  method: string,
  params: Record<string, unknown> = {},
  opts: { headers?: Record<string, string>; meta?: Record<string, unknown> } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const name = method === "resources/read" ? params.uri : params.name;
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": MODERN,
      "mcp-method": method,
      ...(typeof name === "string" && { "mcp-name": name }),
      ...opts.headers,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id,
      method,
      params: {
        ...params,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": MODERN,
          "io.modelcontextprotocol/clientCapabilities": {},
          ...opts.meta,
        },
      },
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
