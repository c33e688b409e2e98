// What `share: per_session` costs, for README's limits: server-memory from npm behind an
// in-process gateway, N stdio sessions each making one call, then:
//  - the backend's RSS per extra session (one process each: VmRSS of each, median), run by node
//    (as `npx` would) and by bun;
//  - the gateway's own heap growth per session with a process (its lane, instance, relay, and
//    the session itself), counted after the first session;
//  - start latency: a session's first call (its process started and initialized) against a
//    call on a running process (medians).
// Usage: bun scripts/measure-per-session.ts [sessions=8]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { MCPGateway } from "../src/gateway.ts";
import { rssKb } from "../test/helpers/procfs.ts";
import { PipeClient } from "../test/per-session/harness.ts";

const SESSIONS = Number(process.argv[2] ?? 8);
const ROOT = resolve(import.meta.dir, "..");
const MEMORY = join(ROOT, "node_modules/@modelcontextprotocol/server-memory/dist/index.js");

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;

async function run(runtime: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "measure-per-session-"));
  const gw = new MCPGateway({
    config: {
      servers: {
        kg: {
          command: runtime,
          args: [MEMORY],
          env: { MEMORY_FILE_PATH: join(dir, "kg-${MCP_GATEWAY_SESSION}.jsonl") },
          share: "per_session",
          max_sessions: SESSIONS,
        },
      },
    },
    cacheDir: join(dir, "cache"),
  });
  try {
    await gw.list({ refresh: true });
    let before = 0;
    const first: number[] = [];
    const warm: number[] = [];
    const clients: PipeClient[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const c = new PipeClient(gw, `s${i}`);
      await c.initialize();
      clients.push(c);
      let t = performance.now();
      await c.call("kg_read_graph");
      first.push(performance.now() - t);
      t = performance.now();
      await c.call("kg_read_graph");
      warm.push(performance.now() - t);
      // The first session loads what any session needs: the heap is counted from after it.
      if (i === 0) {
        Bun.gc(true);
        before = process.memoryUsage().heapUsed;
      }
    }
    await Bun.sleep(500);
    Bun.gc(true);
    const after = process.memoryUsage().heapUsed;
    const lanes = gw.router.serverHandles[0]?.lanes ?? [];
    const backend = lanes.map((l) => rssKb(l.pid ?? 0) ?? 0).filter((k) => k > 0);
    console.log(
      `${runtime === process.execPath ? "bun" : "node"}: ${backend.length} processes; backend RSS each (median) ${mb(median(backend))}` +
        `; gateway heap +${((after - before) / (SESSIONS - 1) / 1024).toFixed(0)} kB per session` +
        `; first call ${median(first).toFixed(0)} ms, warm call ${median(warm).toFixed(1)} ms (medians)`,
    );
    for (const c of clients) c.close();
  } finally {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const runtime of [Bun.which("node"), process.execPath]) if (runtime) await run(runtime);
