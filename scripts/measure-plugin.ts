/**
 * In-process plugin call latency next to a forwarded stdio backend call, through the gateway's
 * stdio front, with a raw JSON-RPC client (one request in flight at a time).
 *
 *   bun scripts/measure-plugin.ts                      # bun src/main.ts, 10,000 calls each
 *   bun scripts/measure-plugin.ts --calls 2000
 *   bun scripts/measure-plugin.ts --gateway dist/mcp-gateway
 *
 * The plugin tool is `add` (sync handler, zod-validated arguments); the forwarded one is the
 * fixture server's `echo` (test/fixtures/server.ts, a bun process). Prints p50/p90/p99 in µs.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "..");
const WARMUP = 500;

function option(name: string, fallback: string): string {
  const i = Bun.argv.indexOf(`--${name}`);
  return i >= 0 ? (Bun.argv[i + 1] ?? fallback) : fallback;
}

const calls = Number(option("calls", "10000"));
const gatewayBin = option("gateway", "");
const gatewayCmd = gatewayBin
  ? [resolve(gatewayBin)]
  : [process.execPath, join(ROOT, "src/main.ts")];

const PLUGIN = `import { tool, z } from "mcp-gateway";
export const add = tool({ description: "Add", input: { a: z.number(), b: z.number() } }, ({ a, b }) => a + b);
`;

const dir = mkdtempSync(join(tmpdir(), "mcp-gateway-measure-"));
writeFileSync(join(dir, "add.ts"), PLUGIN);
const config = join(dir, "gateway.yaml");
const fixture = join(ROOT, "test/fixtures/server.ts");
writeFileSync(
  config,
  JSON.stringify({
    plugins: [{ module: "./add.ts" }],
    servers: { fx: { command: process.execPath, args: [fixture] } },
  }),
);

const proc = Bun.spawn([...gatewayCmd, "stdio", "--config", config], {
  cwd: dir,
  env: { ...process.env, XDG_CACHE_HOME: join(dir, "cache"), MCP_GATEWAY_CONFIG: undefined },
  stdin: "pipe",
  stdout: "pipe",
  stderr: "inherit",
});

type Reply = { id: number; result?: Record<string, unknown>; error?: { message: string } };
const waiting = new Map<number, (r: Reply) => void>();
void (async () => {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of proc.stdout) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl = buffer.indexOf("\n");
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf("\n");
      if (!line.trim()) continue;
      const msg = JSON.parse(line) as Reply;
      if (typeof msg.id === "number") waiting.get(msg.id)?.(msg);
    }
  }
})();

let nextId = 0;
function request(method: string, params: object): Promise<Reply> {
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${method} ${id}: no answer in 30 s`)), 30_000);
    waiting.set(id, (r) => {
      clearTimeout(timer);
      waiting.delete(id);
      if (r.error) reject(new Error(`${method}: ${r.error.message}`));
      else resolve(r);
    });
    proc.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    proc.stdin.flush();
  });
}

const call = (name: string, args: object) => request("tools/call", { name, arguments: args });

async function measure(name: string, args: object): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await call(name, args);
  const out: number[] = new Array(calls);
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    const r = await call(name, args);
    out[i] = (performance.now() - t0) * 1000;
    if (r.result?.isError) throw new Error(`${name}: ${JSON.stringify(r.result)}`);
  }
  return out.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const fmt = (us: number) => `${us.toFixed(0).padStart(7)} µs`;

try {
  await request("initialize", {
    protocolVersion: "2025-11-25",
    capabilities: {},
    clientInfo: { name: "measure-plugin", version: "1" },
  });
  proc.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
  await call("_fx_connect", {});

  const plugin = await measure("add", { a: 1, b: 2 });
  const forwarded = await measure("fx_echo", { text: "hi" });
  console.log(`gateway: ${gatewayCmd.join(" ")}  (${calls} calls each after ${WARMUP} warm-up)`);
  console.log(`${"".padEnd(28)}   p50          p90          p99`);
  for (const [label, s] of [
    ["in-process plugin (add)", plugin],
    ["forwarded stdio (fx_echo)", forwarded],
  ] as const)
    console.log(`${label.padEnd(28)}${fmt(pct(s, 50))}   ${fmt(pct(s, 90))}   ${fmt(pct(s, 99))}`);
} finally {
  await proc.stdin.end();
  const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
  await proc.exited;
  clearTimeout(timer);
  rmSync(dir, { recursive: true, force: true });
}
