// Opens and closes HTTP sessions against a served gateway (built-in tools only, 127.0.0.1:0)
// and prints resident memory before and after, to show sessions leave nothing behind.
// Usage: bun scripts/measure-sessions.ts [count=1000]
// Each Streamable HTTP cycle: initialize, notifications/initialized, tools/list, DELETE.
// Each legacy SSE cycle: GET /sse, initialize + tools/list over POST /messages, close the stream.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MCPGateway } from "../src/gateway.ts";

const COUNT = Number(process.argv[2] ?? 1000);
const JSON_SSE = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};
const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-11-25",
    capabilities: {},
    clientInfo: { name: "m", version: "1" },
  },
};

async function streamableCycle(url: string): Promise<void> {
  const init = await fetch(url, { method: "POST", headers: JSON_SSE, body: JSON.stringify(INIT) });
  const sid = init.headers.get("mcp-session-id");
  await init.text();
  if (!sid) throw new Error(`initialize failed: ${init.status}`);
  const headers = { ...JSON_SSE, "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" };
  const post = (body: object) =>
    fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  await (await post({ jsonrpc: "2.0", method: "notifications/initialized" })).text();
  const list = await (await post({ jsonrpc: "2.0", id: 2, method: "tools/list" })).text();
  if (!list.includes("gateway_status")) throw new Error("tools/list failed");
  const del = await fetch(url, { method: "DELETE", headers });
  if (del.status !== 200) throw new Error(`DELETE failed: ${del.status}`);
}

async function sseCycle(base: string): Promise<void> {
  const ac = new AbortController();
  const res = await fetch(`${base}/sse`, { signal: ac.signal });
  const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) throw new Error("no SSE body");
  let text = "";
  const until = async (needle: string) => {
    while (!text.includes(needle)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before ${needle}`);
      text += value;
    }
  };
  await until("\n\n");
  const endpoint = /data: (\S+)/.exec(text)?.[1];
  const post = (body: object) =>
    fetch(`${base}${endpoint}`, { method: "POST", headers: JSON_SSE, body: JSON.stringify(body) });
  await (await post(INIT)).text();
  await (await post({ jsonrpc: "2.0", method: "notifications/initialized" })).text();
  await (await post({ jsonrpc: "2.0", id: 2, method: "tools/list" })).text();
  await until("gateway_status");
  ac.abort();
  await reader.cancel().catch(() => {});
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
function snapshot(label: string): number {
  Bun.gc(true);
  const { rss, heapUsed } = process.memoryUsage();
  console.log(`${label.padEnd(38)} rss ${mb(rss).padStart(9)}  heap ${mb(heapUsed).padStart(9)}`);
  return rss;
}

const cacheDir = mkdtempSync(join(tmpdir(), "mcp-gateway-measure-"));
const gw = new MCPGateway({ cacheDir });
try {
  const { url } = await gw.serveHttp({ port: 0 });
  const base = url.replace(/\/mcp$/, "");
  for (let i = 0; i < 100; i++) {
    await streamableCycle(url);
    await sseCycle(base);
  }
  const before = snapshot("after 100+100 warm-up cycles");
  for (let i = 0; i < COUNT; i++) await streamableCycle(url);
  const afterHttp = snapshot(`after ${COUNT} Streamable HTTP sessions`);
  for (let i = 0; i < COUNT; i++) await sseCycle(base);
  const afterSse = snapshot(`after ${COUNT} legacy SSE sessions`);
  await Bun.sleep(200);
  console.log(`sessions still open in the router: ${gw.router.sessions.size}`);
  console.log(
    `growth: ${mb(afterHttp - before)} over ${COUNT} Streamable HTTP sessions, ${mb(afterSse - afterHttp)} over ${COUNT} SSE sessions`,
  );
} finally {
  await gw.close();
  rmSync(cacheDir, { recursive: true, force: true });
}
