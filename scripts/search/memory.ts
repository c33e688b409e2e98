// RSS of a real `mcp-gateway stdio` in search mode over the 20-server catalog: after tools/list,
// after the first token figures (gateway_status), and after N searches, so what tool search holds
// and what grows with use are measured on the compiled binary, through the stdio front.
// Usage: bun scripts/search/memory.ts [--bin PATH] [--searches 1000] [--json]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rssKb } from "../../test/helpers/proc.ts";
import { catalogFiles, devQueries } from "./data.ts";
import { gatewayCommand, servers, startStdio, warm, writeConfig } from "./gateway.ts";

export interface MemoryFigures {
  /** RSS of the gateway process alone (its backends are not started), MB, at each step. */
  listed: number;
  status: number;
  /** SETTLE_MS after gateway_status. */
  settled: number;
  statusMs: number;
  searches: { n: number; rss: number }[];
  /** SETTLE_MS after the last search. */
  idle: number;
}

const rssMb = (pid: number) => (rssKb(pid) ?? 0) / 1024;

const SETTLE_MS = 5000;
/** Checkpoints: RSS after this many searches. */
const STEPS = [1, 50, 200, 500, 1000, 2000, 3000];

export async function measureMemory(cmd: string[], total = 1000): Promise<MemoryFigures> {
  const dir = mkdtempSync(join(tmpdir(), "search-memory-"));
  try {
    const files = catalogFiles();
    const config = writeConfig(
      dir,
      { servers: servers(files, dir), tool_search: { mode: "on" } },
      "on",
    );
    await warm(config, dir, cmd);
    const g = await startStdio(config, dir, cmd);
    try {
      await g.rpc.request("tools/list");
      await Bun.sleep(500);
      const listed = rssMb(g.rpc.pid);
      let t = performance.now();
      await g.rpc.request("tools/call", { name: "gateway_status", arguments: {} });
      const statusMs = performance.now() - t;
      await Bun.sleep(500);
      const status = rssMb(g.rpc.pid);
      // What stays once the allocator has returned the setup's scratch (its scavenger runs
      // every few seconds).
      await Bun.sleep(SETTLE_MS);
      const settled = rssMb(g.rpc.pid);
      const queries = devQueries().map((q) => q.query);
      const searches: { n: number; rss: number }[] = [];
      for (let i = 1; i <= total; i++) {
        t = performance.now();
        await g.rpc.request("tools/call", {
          name: "gateway_search_tools",
          arguments: { query: queries[i % queries.length], limit: 5 },
        });
        if (STEPS.includes(i) || i === total) searches.push({ n: i, rss: rssMb(g.rpc.pid) });
      }
      await Bun.sleep(SETTLE_MS);
      const idle = rssMb(g.rpc.pid);
      return { listed, status, settled, statusMs, searches, idle };
    } finally {
      await g.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const bin = arg("--bin");
  const cmd = bin ? [bin] : gatewayCommand().cmd;
  const m = await measureMemory(cmd, Number(arg("--searches") ?? 1000));
  if (process.argv.includes("--json")) console.log(JSON.stringify(m));
  else {
    console.log(`${bin ?? gatewayCommand().label}`);
    console.log(`after tools/list        ${m.listed.toFixed(1)} MB`);
    console.log(
      `after gateway_status    ${m.status.toFixed(1)} MB (+${(m.status - m.listed).toFixed(1)}; ${m.statusMs.toFixed(0)} ms); ${m.settled.toFixed(1)} MB ${SETTLE_MS / 1000} s later`,
    );
    for (const s of m.searches)
      console.log(
        `after ${String(s.n).padStart(4)} searches   ${s.rss.toFixed(1)} MB (+${(s.rss - m.settled).toFixed(1)})`,
      );
    console.log(`${SETTLE_MS / 1000} s later            ${m.idle.toFixed(1)} MB`);
  }
}
