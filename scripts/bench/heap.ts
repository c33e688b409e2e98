// Where memory goes across many calls (issue 20): the gateway (stdio front, server-everything
// behind it, as in the bench's memory-growth figure) with a diagnostic plugin that collects the
// garbage and counts live objects by type, read after a warm-up and after each quarter of the
// calls. A leak is a type whose count climbs quarter after quarter; the collector's working set is
// RSS that falls back once garbage is collected.
//
//   bun scripts/bench/heap.ts [--calls 100000] [--in-flight 32] [--snapshots DIR] [--binary FILE]
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { closedLoop, expectOk } from "./load.ts";
import { rssMb } from "./procs.ts";
import { echo, template } from "./rpc.ts";
import { stopAll } from "./spawn.ts";
import { BACKEND, ROOT, stdioLaunch } from "./way.ts";
import { warmCache } from "./ways.ts";
import { within } from "./within.ts";

const { values: opts } = parseArgs({
  options: {
    calls: { type: "string", default: "100000" },
    "in-flight": { type: "string", default: "32" },
    snapshots: { type: "string" },
    binary: { type: "string" },
  },
});
const calls = Number(opts.calls);
const inFlight = Number(opts["in-flight"]);

interface Stats {
  rssBeforeMb: number;
  rssAfterMb: number;
  heapMb: number;
  heapCapacityMb: number;
  extraMb: number;
  objects: number;
  types: Record<string, number>;
}

const dir = "/tmp/mcp-gateway-heap";
await mkdir(dir, { recursive: true });
const config = join(dir, "gateway.yaml");
const [command, ...args] = BACKEND;
await writeFile(
  config,
  `servers:\n  everything:\n    command: ${command}\n    args: ${JSON.stringify(args)}\n` +
    `plugins:\n  - module: ${join(ROOT, "scripts/bench/heap-plugin.ts")}\n`,
);
const cmd = opts.binary ? [resolve(opts.binary)] : [process.execPath, join(ROOT, "src/main.ts")];
const env = { XDG_CACHE_HOME: join(dir, "cache") };
await warmCache(cmd, config, env);
const launched = stdioLaunch([...cmd, "stdio", "--config", config], { env });
try {
  const client = await within(60_000, "connect", launched.connect(Date.now() + 60_000));
  const t = echo("everything_echo", "hello");
  const stats = async (label: string): Promise<Stats> => {
    const rssMbNow = rssMb(launched.frontPid);
    const snapshot = opts.snapshots
      ? join(resolve(opts.snapshots), `${label}.heapsnapshot`)
      : undefined;
    const msg = await expectOk(
      client,
      template("tools/call", { name: "heap_stats", arguments: snapshot ? { snapshot } : {} }),
    );
    const s = msg.result?.structuredContent as Stats;
    console.log(
      `${label.padEnd(10)} RSS ${rssMbNow.toFixed(1)} MB (after GC ${s.rssAfterMb.toFixed(1)}), ` +
        `heap ${s.heapMb.toFixed(1)} MB of ${s.heapCapacityMb.toFixed(1)}, extra ${s.extraMb.toFixed(1)} MB, ` +
        `${s.objects} objects`,
    );
    return s;
  };
  await within(120_000, "warm-up", closedLoop(client, t, inFlight, { total: calls / 5 }));
  const first = await stats("warm-up");
  let last = first;
  for (let q = 1; q <= 4; q++) {
    await within(600_000, "quarter", closedLoop(client, t, inFlight, { total: calls / 4 }));
    last = await stats(`quarter ${q}`);
  }
  const grew = Object.entries(last.types)
    .map(([type, n]) => [type, n - (first.types[type] ?? 0)] as const)
    .filter(([, d]) => d !== 0)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .slice(0, 15);
  console.log("live objects, last quarter minus warm-up (largest changes):");
  for (const [type, d] of grew) console.log(`  ${type.padEnd(32)} ${d > 0 ? "+" : ""}${d}`);
  await client.close();
} finally {
  await launched.child.stop();
  await stopAll();
}
