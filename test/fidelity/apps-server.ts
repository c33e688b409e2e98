// A small MCP Apps-style stdio server for the shadowed-resource tests: two copies, told apart by
// their label (argv[2]), list the same URIs — a `ui://` app resource that their `show` tool points
// at in `_meta.ui.resourceUri`, a plain document, a template — and each read says who answered.
//   bun test/fidelity/apps-server.ts <label>
// Its `touch` tool sends resources/updated for a URI (the subscription tests' trigger).
import { type Message, type Obj, obj, readLines, str, Wire } from "../fixtures/server-wire.ts";

const label = process.argv[2] ?? "app";
const wire = new Wire(false);
const APP = "ui://widget/app.html";
const DOC = "shared://doc";
const TEMPLATE = "shared://item/{id}";

const tools = [
  {
    name: "show",
    description: `Shows ${label}'s widget`,
    inputSchema: { type: "object", properties: {} },
    _meta: { ui: { resourceUri: APP }, "ui/resourceUri": APP },
  },
  {
    name: "touch",
    description: "Sends resources/updated for a URI",
    inputSchema: { type: "object", properties: { uri: { type: "string" } }, required: ["uri"] },
  },
];

function read(uri: string): Obj {
  const known = uri === APP || uri === DOC || /^shared:\/\/item\/[^/]+$/.test(uri);
  if (!known) throw Object.assign(new Error(`Resource not found: ${uri}`), { code: -32002 });
  const mimeType = uri === APP ? "text/html;profile=mcp-app" : "text/plain";
  return { contents: [{ uri, mimeType, text: `${label}: ${uri}` }] };
}

function handle(method: string, p: Obj): Obj {
  switch (method) {
    case "initialize":
      return {
        protocolVersion: str(p.protocolVersion, "2025-11-25"),
        capabilities: { tools: {}, resources: { subscribe: true, listChanged: true } },
        serverInfo: { name: `apps-${label}`, version: "1.0.0" },
      };
    case "tools/list":
      return { tools };
    case "tools/call": {
      if (p.name === "touch") {
        const uri = str(obj(p.arguments).uri, DOC);
        setTimeout(() => void wire.notify("notifications/resources/updated", { uri }), 0);
        return { content: [{ type: "text", text: `touched ${uri}` }] };
      }
      return { content: [{ type: "text", text: `${label} shows its widget` }] };
    }
    case "resources/list":
      return {
        resources: [
          { uri: APP, name: "widget", mimeType: "text/html;profile=mcp-app" },
          { uri: DOC, name: "doc", mimeType: "text/plain" },
        ],
      };
    case "resources/templates/list":
      return { resourceTemplates: [{ uriTemplate: TEMPLATE, name: "item" }] };
    case "resources/read":
      return read(str(p.uri, ""));
    case "resources/subscribe":
    case "resources/unsubscribe":
    case "ping":
      return {};
    default:
      throw Object.assign(new Error(`Method not found: ${method}`), { code: -32601 });
  }
}

await readLines((line) => {
  let m: Message;
  try {
    m = JSON.parse(line) as Message;
  } catch {
    return;
  }
  if (m.method === undefined || m.id === undefined || m.id === null) return;
  try {
    void wire.send({ id: m.id, result: handle(m.method, obj(m.params)) });
  } catch (e) {
    const code = (e as { code?: number }).code ?? -32603;
    void wire.send({ id: m.id, error: { code, message: (e as Error).message } });
  }
});
