// What observability costs per call and at idle, variants side by side (usage: see USAGE below).
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setupTen } from "./extras.ts";
import { closedLoop, expectOk, median, percentile, sequential } from "./load.ts";
import { cpuTicks, TICK_US, tree, treeRssMb } from "./procs.ts";
import { type Client, echo, TOOLS_LIST } from "./rpc.ts";
import { run } from "./spawn.ts";
import { freePort, httpLaunch, type Launched, ROOT, stdioLaunch, type Way } from "./way.ts";
import { setupGateway } from "./ways.ts";

/*
 * USAGE
 * What observability costs, side by side: the compiled gateway on the same echo backend with
 * metrics off, metrics on, traces on and the audit log on. Every variant runs at once (idle while
 * another is measured) and the rounds alternate between them in rotated order, so background
 * load on a shared machine hits all alike; each variant's ratio to "off" is taken within each
 * round, and the report gives the median ratio over rounds. Then idle RSS with ten configured
 * servers (none started): off, metrics on, traces on.
 * "off again" is a second, identical "off" process: its ratio is the noise floor of the run.
 * --baseline BINARY adds that binary (e.g. main's build) with observability off to the idle RSS.
 * --only takes comma-separated prefixes of variant names ("stdio", "http off,http metrics").
 *   bun scripts/bench/observe-ab.ts [--rounds N] [--only PREFIXES] [--no-ten] [--no-calls]
 *                                   [--baseline BINARY]
 */
const args = Bun.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROUNDS = Number(flag("--rounds") ?? 15);
const ONLY = flag("--only");
const BASELINE = flag("--baseline");
const BINARY = join(ROOT, "dist/mcp-gateway");
const WARMUP = 2000;
const SEQUENTIAL = 1000;
const IN_FLIGHT = 32;
const LOAD_MS = 1500;

interface Figures {
  p50Us: number;
  callsPerSec: number;
  cpuLoadUs: number;
}

/** One measuring turn of a live variant: sequential latency, then throughput and CPU per call. */
async function turn(client: Client, pid: number): Promise<Figures> {
  const small = echo("everything_echo", "hello");
  const lat = await sequential(client, small, SEQUENTIAL);
  const ticks = cpuTicks(pid);
  const load = await closedLoop(client, small, IN_FLIGHT, { ms: LOAD_MS });
  if (load.errors > 0) throw new Error(`failed calls under load: ${load.firstError}`);
  return {
    p50Us: percentile(lat, 50),
    callsPerSec: load.calls / load.seconds,
    cpuLoadUs: ((cpuTicks(pid) - ticks) * TICK_US) / load.calls,
  };
}

/** Where traces go: answers every export at once, keeps nothing. */
const sink = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: async (req) => {
    await req.arrayBuffer();
    return new Response(new Uint8Array(), {
      headers: { "content-type": "application/x-protobuf" },
    });
  },
});
const TRACES = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sink.port}` };

const dir = await mkdtemp(join(tmpdir(), "observe-ab-"));
try {
  const build = await run([process.execPath, "scripts/build.ts"], { timeoutMs: 300_000 });
  if (build.code !== 0) throw new Error(`build failed: ${build.out.slice(-800)}`);
  const g = await setupGateway([BINARY], join(dir, "gw"));
  const config = async (name: string, extra: string) => {
    const file = join(dir, `${name}.yaml`);
    await writeFile(file, await Bun.file(g.config).text());
    await appendFile(file, extra);
    return file;
  };
  const audit = await config("audit", `audit_log: ${join(dir, "audit.jsonl")}\n`);
  const noMetrics = await config("no-metrics", "metrics: false\n");
  const tool = "everything_echo";
  const stdio = (id: string, extra: string[], env = {}, file = g.config): Way => ({
    id,
    label: id,
    kind: "gateway",
    tool,
    launch: async () =>
      stdioLaunch([BINARY, "stdio", "--config", file, ...extra], { env: { ...g.env, ...env } }),
  });
  const http = (id: string, file: string, env = {}): Way => ({
    id,
    label: id,
    kind: "gateway",
    tool,
    launch: async () => {
      const port = freePort();
      const cmd = [BINARY, "serve", "--port", String(port), "--config", file];
      return httpLaunch(cmd, "streamable", `http://127.0.0.1:${port}/mcp`, {
        env: { ...g.env, ...env },
      });
    },
  });
  async function abCalls(): Promise<void> {
    const ways = [
      stdio("stdio off", []),
      stdio("stdio off again", []),
      stdio("stdio metrics", ["--metrics-port", "0"]),
      stdio("stdio traces", [], TRACES),
      stdio("stdio audit", [], {}, audit),
      http("http off", noMetrics),
      http("http off again", noMetrics),
      http("http metrics", g.config),
      http("http metrics+traces", g.config, TRACES),
    ].filter((w) => !ONLY || ONLY.split(",").some((o) => w.id.startsWith(o)));

    // Every variant up and warm before the first round.
    const live: { way: Way; launched: Launched; client: Client }[] = [];
    for (const way of ways) {
      const launched = await way.launch();
      const client = await launched.connect(Date.now() + 60_000);
      for (let i = 0; ; i++) {
        const list = await client.call(TOOLS_LIST);
        if (JSON.stringify(list.result).includes(tool)) break;
        if (i > 500) throw new Error(`${way.id}: ${tool} never listed`);
        await Bun.sleep(10);
      }
      await expectOk(client, echo(tool, "hello"));
      await sequential(client, echo(tool, "hello"), WARMUP);
      live.push({ way, launched, client });
    }
    const rounds = new Map<string, Figures[]>(ways.map((w) => [w.id, []]));
    try {
      for (let r = 0; r < ROUNDS; r++) {
        for (let i = 0; i < live.length; i++) {
          const v = live[(i + r) % live.length];
          if (!v) continue;
          const f = await turn(v.client, v.launched.frontPid);
          rounds.get(v.way.id)?.push(f);
        }
        console.error(`round ${r + 1} of ${ROUNDS} done`);
      }
    } finally {
      for (const v of live) {
        await v.client.close().catch(() => {});
        await v.launched.child.stop();
      }
    }

    type Key = keyof Figures;
    const base = (id: string) => (id.startsWith("stdio") ? "stdio off" : "http off");
    /** The median over rounds of the within-round ratio to the same front's "off". */
    const ratio = (id: string, k: Key) => {
      const mine = rounds.get(id) ?? [];
      const off = rounds.get(base(id)) ?? [];
      return median(mine.map((f, r) => f[k] / (off[r]?.[k] ?? Number.NaN)));
    };
    const med = (id: string, k: Key) => median((rounds.get(id) ?? []).map((f) => f[k]));
    const lines = [
      `| variant | p50 (µs) | calls/s @${IN_FLIGHT} | gateway CPU/call @${IN_FLIGHT} (µs) |`,
      "|---|---:|---:|---:|",
    ];
    for (const w of ways) {
      const cell = (k: Key) =>
        w.id === base(w.id)
          ? med(w.id, k).toFixed(1)
          : `${med(w.id, k).toFixed(1)} (${ratio(w.id, k).toFixed(3)}x)`;
      lines.push(`| ${w.id} | ${cell("p50Us")} | ${cell("callsPerSec")} | ${cell("cpuLoadUs")} |`);
    }
    console.log(
      `Medians of ${ROUNDS} rounds; in brackets the median of the within-round ratios to the same front with observability off:`,
    );
    console.log(lines.join("\n"));
  }
  if (!args.includes("--no-calls")) await abCalls();

  if (!args.includes("--no-ten")) {
    const ten = await setupTen([BINARY], join(dir, "ten"));
    // Fresh copies of both binaries: a binary file that has sat in the page cache for a while
    // maps into a process differently from a fresh one (3 MB of RSS apart for the same bytes).
    const mine = join(dir, "gateway-under-test");
    const base = join(dir, "gateway-baseline");
    await Bun.write(mine, Bun.file(BINARY));
    if (BASELINE) await Bun.write(base, Bun.file(BASELINE));
    await run(["chmod", "+x", mine, ...(BASELINE ? [base] : [])], { timeoutMs: 5000 });
    const idle = async (binary: string, extra: string[], env = {}) => {
      const gw = stdioLaunch([binary, "stdio", "--config", ten.config, ...extra], {
        env: { ...ten.env, ...env },
      });
      try {
        const client = await gw.connect(Date.now() + 60_000);
        await client.call(TOOLS_LIST);
        await Bun.sleep(1000);
        const rss = treeRssMb(gw.frontPid);
        if (tree(gw.frontPid).length > 1) throw new Error("a backend was started");
        await client.close();
        return rss;
      } finally {
        await gw.child.stop();
      }
    };
    const cases: [string, string, string[], Record<string, string>][] = [
      ["off", mine, [], {}],
      ["metrics (--metrics-port 0)", mine, ["--metrics-port", "0"], {}],
      ["traces (OTEL endpoint set)", mine, [], TRACES],
      ...(BASELINE
        ? [
            [`baseline ${BASELINE}, off`, base, [], {}] as [
              string,
              string,
              string[],
              Record<string, string>,
            ],
          ]
        : []),
    ];
    const rss = new Map<string, number[]>(cases.map(([n]) => [n, []]));
    for (let r = 0; r < 5; r++)
      for (const [name, binary, extra, env] of cases)
        rss.get(name)?.push(await idle(binary, extra, env));
    console.log("\nTen configured servers, none started, idle RSS of the gateway (median of 5):");
    for (const [name, values] of rss) console.log(`- ${name}: ${median(values).toFixed(1)} MB`);
  }
} finally {
  sink.stop(true);
  await rm(dir, { recursive: true, force: true });
}
