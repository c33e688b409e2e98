// A stdio MCP server that answers correctly but surrounds every answer with junk: lines that are
// not JSON, JSON that is not a message, invalid UTF-8, messages whose method names are JavaScript
// object keys (toString, __proto__), answers to ids never asked, bogus progress and cancellations.
// One tool, `echo`; the junk goes out after `notifications/initialized` and before each answer.
// Run: bun test/reliability/junk-backend.ts [--no-proto-keys]
import { writeSync } from "node:fs";

const JUNK: (string | Uint8Array)[] = [
  "this line is not JSON",
  "42",
  "null",
  '"a string"',
  "[]",
  '[{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"in a batch"}}]',
  '{"jsonrpc":"2.0"}',
  '{"jsonrpc":"2.0","id":987654,"result":{}}',
  '{"jsonrpc":"2.0","id":"not-ours","result":{}}',
  '{"jsonrpc":"2.0","id":{"an":"object"},"result":{}}',
  '{"jsonrpc":"2.0","id":1,"error":"not an object"}',
  '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"nobody","progress":1}}',
  '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":424242,"progress":1}}',
  '{"jsonrpc":"2.0","method":"notifications/progress","params":null}',
  '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"nothing"}}',
  '{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":5}}',
  '{"jsonrpc":"2.0","method":"notifications/tools/list_changed","params":"x"}',
  '{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}',
  '{"jsonrpc":"2.0","id":"j4","method":"roots/list","params":"x"}',
  new Uint8Array([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d]),
  '{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"\uFFFD"}}',
  `{"deep":${"[".repeat(20_000)}${"]".repeat(20_000)}}`,
];

/** Method names that are keys of every JavaScript object: a lookup table must not find them. */
const PROTO_KEYS: string[] = [
  '{"jsonrpc":"2.0","method":"toString"}',
  '{"jsonrpc":"2.0","method":"constructor","params":{}}',
  '{"jsonrpc":"2.0","method":"__proto__","params":{}}',
  '{"jsonrpc":"2.0","method":"hasOwnProperty","params":[1,2]}',
  '{"jsonrpc":"2.0","id":"j1","method":"toString"}',
  '{"jsonrpc":"2.0","id":"j2","method":"constructor","params":{}}',
  '{"jsonrpc":"2.0","id":"j3","method":"__proto__"}',
];
if (!process.argv.includes("--no-proto-keys")) JUNK.push(...PROTO_KEYS);

const out = (line: string | Uint8Array): void => {
  if (typeof line === "string") writeSync(1, `${line}\n`);
  else writeSync(1, new Uint8Array([...line, 0x0a]));
};

function spew(): void {
  for (const j of JUNK) out(j);
  // A message split over two writes, with a pause, so the reader sees the halves apart.
  const half = '{"jsonrpc":"2.0","method":"notifications/message",';
  writeSync(1, half);
  Bun.sleepSync(5);
  out('"params":{"level":"info","data":"joined"}}');
}

const send = (msg: object) => out(JSON.stringify({ jsonrpc: "2.0", ...msg }));

function onLine(line: string): void {
  let msg: { id?: unknown; method?: string; params?: Record<string, unknown> };
  try {
    msg = JSON.parse(line);
  } catch {
    return;
  }
  const { id, method } = msg;
  if (method === "notifications/initialized") return spew();
  if (id === undefined || method === undefined) return;
  if (method === "initialize") {
    const result = {
      protocolVersion: String(msg.params?.protocolVersion ?? "2025-06-18"),
      capabilities: { tools: {} },
      serverInfo: { name: "junk", version: "1.0.0" },
    };
    return send({ id, result });
  }
  if (method === "tools/list") {
    const echo = {
      name: "echo",
      description: "Echo the text back, after some junk",
      inputSchema: { type: "object", properties: { text: { type: "string" } } },
    };
    return send({ id, result: { tools: [echo] } });
  }
  if (method === "tools/call") {
    spew();
    const args = (msg.params?.arguments ?? {}) as { text?: unknown };
    return send({ id, result: { content: [{ type: "text", text: String(args.text ?? "") }] } });
  }
  if (method === "ping") return send({ id, result: {} });
  send({ id, error: { code: -32601, message: `Method not found: ${method}` } });
}

const decoder = new TextDecoder();
let buffer = "";
for await (const chunk of Bun.stdin.stream()) {
  buffer += decoder.decode(chunk, { stream: true });
  for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
    onLine(buffer.slice(0, i));
    buffer = buffer.slice(i + 1);
  }
}
