// A small MCP server whose `meta` tool answers with the `_meta` (and trace headers) it got.
type Obj = Record<string, unknown>;

export {};

const TOOLS = ["meta", "boom", "ok"].map((name) => ({
  name,
  description: `Echo backend tool ${name}`,
  inputSchema: { type: "object", properties: {} },
}));

/** The answer to one request, or undefined for a notification. */
function handle(m: Obj, headers?: Headers): Obj | undefined {
  if (m.id === undefined || m.id === null) return undefined;
  const p = (m.params ?? {}) as Obj;
  const reply = (result: Obj) => ({ jsonrpc: "2.0", id: m.id, result });
  const error = (code: number, message: string) => ({
    jsonrpc: "2.0",
    id: m.id,
    error: { code, message },
  });
  switch (m.method) {
    case "initialize":
      return reply({
        protocolVersion: p.protocolVersion ?? "2025-06-18",
        capabilities: { tools: {} },
        serverInfo: { name: "echo-backend", version: "1.0.0" },
      });
    case "ping":
      return reply({});
    case "tools/list":
      return reply({ tools: TOOLS });
    case "tools/call": {
      if (p.name === "boom") return error(-32000, "boom requested");
      if (p.name === "ok") return reply({ content: [{ type: "text", text: "ok" }] });
      if (p.name !== "meta") return error(-32602, `Unknown tool: ${String(p.name)}`);
      const seen: Obj = { meta: p._meta ?? null };
      if (headers)
        seen.headers = {
          traceparent: headers.get("traceparent"),
          tracestate: headers.get("tracestate"),
        };
      return reply({ content: [{ type: "text", text: JSON.stringify(seen) }] });
    }
    default:
      return error(-32601, `Method not found: ${String(m.method)}`);
  }
}

if (process.argv.includes("--http")) {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      if (req.method === "DELETE") return new Response(null, { status: 200 });
      if (req.method !== "POST") return new Response(null, { status: 405 });
      const m = (await req.json()) as Obj;
      const answer = handle(m, req.headers);
      if (!answer) return new Response(null, { status: 202 });
      const headers: Record<string, string> = { "mcp-session-id": "echo-session" };
      return Response.json(answer, { headers });
    },
  });
  process.stdout.write(`${server.url.href}mcp\n`);
} else {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of Bun.stdin.stream()) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
      const line = buffer.slice(0, i).trim();
      buffer = buffer.slice(i + 1);
      if (!line) continue;
      const answer = handle(JSON.parse(line) as Obj);
      if (answer) process.stdout.write(`${JSON.stringify(answer)}\n`);
    }
  }
}
