// The results as markdown: one table of medians with ratios to the floor, the issue's targets
// next to the figures they judge, the two extra figures, and what every number means.
import type { TenRound } from "./extras.ts";
import { median } from "./load.ts";
import type { Figure } from "./measure.ts";
import { fig, num, type Results, ratio, times } from "./results.ts";
import { targetRows } from "./targets.ts";

interface Column {
  key: Figure;
  title: string;
  unit: string;
  /** Higher is better (calls/s): the ratio then reads "x the floor's throughput". */
  higher?: boolean;
}

const COLUMNS: Column[] = [
  { key: "startupMs", title: "spawn → tools/list", unit: "ms" },
  { key: "p50Us", title: "p50", unit: "µs" },
  { key: "p99Us", title: "p99", unit: "µs" },
  { key: "callsPerSec", title: "calls/s @32", unit: "", higher: true },
  { key: "cpuSeqUs", title: "CPU/call seq", unit: "µs" },
  { key: "cpuLoadUs", title: "CPU/call @32", unit: "µs" },
  { key: "rssIdleMb", title: "RSS idle", unit: "MB" },
  { key: "rssLoadMb", title: "RSS after load", unit: "MB" },
  { key: "bigMs", title: "1 MB echo", unit: "ms" },
];

/** The ways measured by one pass (raw clients, or the SDK's client), against that pass's floor. */
function table(results: Results, pass: "raw" | "sdk"): string[] {
  const ways = results.ways.filter((w) => (w.way.pass ?? "raw") === pass);
  if (ways.every((w) => w.skipped)) return [];
  const floor = ways.find((w) => w.way.kind === "floor");
  const head = ["way", ...COLUMNS.map((c) => `${c.title}${c.unit ? ` (${c.unit})` : ""}`)];
  const lines = [
    `| ${head.join(" | ")} |`,
    `|${head.map((_, i) => (i ? "---:" : "---")).join("|")}|`,
  ];
  for (const r of ways) {
    if (r.skipped) continue;
    const cells = COLUMNS.map((c) => {
      const v = fig(r, c.key);
      if (r === floor) return num(v);
      return `${num(v)} (${times(ratio(v, fig(floor, c.key)))})`;
    });
    const label = r.errors.length > 0 ? `${r.way.label} ¹` : r.way.label;
    lines.push(`| ${label} | ${cells.join(" | ")} |`);
  }
  return lines;
}

/** The same ways measured with the MCP SDK's own client (v2), against direct with that client. */
function sdkPass(results: Results): string[] {
  const rows = table(results, "sdk");
  if (rows.length === 0) return [];
  return [
    "With the MCP SDK's own client (`@modelcontextprotocol/client`, what users run; the ratio is to " +
      "direct stdio with the same client). Its CPU figures are still the front process's alone, not " +
      "the client's:",
    "",
    ...rows,
    "",
  ];
}

function extras(results: Results): string[] {
  const out: string[] = [];
  const g = results.growth;
  if (typeof g === "string") out.push(`- Memory growth (gateway stdio): not measured: ${g}`);
  else {
    const q = g.quartersMb.map((x) => num(x)).join(", ");
    out.push(
      `- Memory growth (gateway stdio, ${g.calls.toLocaleString("en-US")} calls in ${num(g.seconds)} s, ` +
        `${results.info.plan.inFlight} in flight, after ${g.warmup.toLocaleString("en-US")} warm-up calls): ` +
        `gateway process, quiet, ${num(g.beforeMb, "MB")} → ${num(g.afterMb, "MB")} (${times(g.afterMb / g.beforeMb)}; ` +
        `right after each quarter: ${q} MB); gateway + backend ${num(g.treeBeforeMb, "MB")} → ` +
        `${num(g.treeAfterMb, "MB")} (${times(g.treeAfterMb / g.treeBeforeMb)}).`,
    );
  }
  const t = results.ten;
  if (typeof t === "string") out.push(`- Ten servers configured, none used: not measured: ${t}`);
  else {
    const m = (f: (x: TenRound) => number) => median(t.map(f));
    const [startup, gw, eager] = [
      m((x) => x.startupMs),
      m((x) => x.gatewayRssMb),
      m((x) => x.eagerRssMb),
    ];
    out.push(
      `- Ten servers configured, none used (compiled binary, warm cache, median of ${t.length}): ` +
        `first tools/list (${m((x) => x.tools)} tools) ${num(startup, "ms")} after spawn; gateway ` +
        `tree RSS ${num(gw, "MB")} with ${m((x) => x.backends)} backend processes, next to ` +
        `${num(eager, "MB")} for the ten servers started eagerly (${times(gw / eager)}).`,
    );
  }
  const s = results.sessions;
  if (typeof s === "string") out.push(`- Sessions pass: not measured: ${s}`);
  else
    out.push(
      `- ${s.sessions.toLocaleString("en-US")} Streamable HTTP sessions open at once (initialized, ` +
        `idle): gateway process ${num(s.beforeMb, "MB")} → ${num(s.afterMb, "MB")}, ` +
        `${num(s.perSessionKb, "KB")} per idle session; p50 of a call on one more session ` +
        `${num(s.p50AloneUs, "µs")} alone, ${num(s.p50WithUs, "µs")} with them open ` +
        `(${times(s.p50WithUs / s.p50AloneUs)}).`,
    );
  return out;
}

function problems(results: Results): string[] {
  const out: string[] = [];
  for (const r of results.ways) {
    if (r.skipped) out.push(`- **${r.way.label}: skipped** — ${r.skipped}`);
    else if (r.errors.length > 0) {
      out.push(
        `- ¹ ${r.way.label}: ${r.errors.length} round(s) failed and are left out: ${r.errors[0]}`,
      );
    }
    const big = r.rounds.find((x) => x.bigError)?.bigError;
    if (big) out.push(`- ${r.way.label}: the 1 MB echo failed: ${big}`);
    const errs = r.rounds.reduce((s, x) => s + x.loadErrors, 0);
    if (errs > 0) out.push(`- ${r.way.label}: ${errs} calls failed under load (not counted).`);
  }
  return out;
}

export function renderResults(results: Results): string {
  const { info, ways } = results;
  const p = info.plan;
  const peerLabels = ways.filter((w) => w.way.kind === "peer").map((w) => w.way.label);
  return [
    `Generated by \`${info.command}\` on ${info.date}.`,
    "",
    `Machine: ${info.machine}. Gateway: ${info.gateway}.` +
      (peerLabels.length > 0 ? ` Peers: ${peerLabels.join(", ")}.` : ""),
    `Every figure is the median of ${info.roundsDone} round(s); each round starts every way afresh, ` +
      "in a rotated order so that background noise hits all ways alike. In brackets: the ratio to " +
      "the direct floor measured in the same run.",
    "",
    ...table(results, "raw"),
    "",
    ...sdkPass(results),
    ...extras(results),
    ...problems(results),
    ...info.notes.map((n) => `- ${n}`),
    "",
    "### Targets (issue 8: raw clients; issue 20: the SDK's client)",
    "",
    "| target | figure | |",
    "|---|---|---|",
    ...targetRows(results).map((t) => `| ${t.target} | ${t.figure} | ${t.verdict} |`),
    "",
    "### What each number means",
    "",
    "- **spawn → tools/list**: from spawning the process (compiled gateway binary, warm schema " +
      "cache) to the answer of the first `tools/list` that lists the echo tool; includes " +
      "`initialize` and, for HTTP ways, polling until the port accepts connections.",
    `- **p50 / p99**: latency of ${p.sequential.toLocaleString("en-US")} sequential \`echo\` calls ` +
      `("hello") after ${p.warmup} warm-up calls, one at a time, measured in the client.`,
    `- **calls/s @32**: completed calls per second with ${p.inFlight} calls always in flight for ` +
      `${p.loadMs / 1000} s (raw clients: pre-built JSON-RPC strings over pipes, or \`fetch\` with ` +
      "pre-built bodies over HTTP; no SDK client).",
    "- **CPU/call**: user+system CPU of the front process alone (the gateway or peer, not its " +
      "backend; for the floor, the server itself) from /proc/<pid>/stat, divided by the calls made " +
      "— sequentially, and at 32 in flight. Clock ticks are 10 ms, so treat small figures as ±10%.",
    "- **RSS idle / after load**: summed VmRSS of the process and all its descendants (gateway + " +
      `backend), ${p.idleMs} ms after the warm-up, and right after the load phase.`,
    `- **1 MB echo**: median round trip of ${p.bigRounds} echo calls carrying a ` +
      `${p.bigBytes.toLocaleString("en-US")}-character message (answered with the same text).`,
    "- **Memory growth**: RSS of the gateway process (stdio front) after a warm-up of a fifth as " +
      "many calls (the heap reaches its working size) and after all the calls, each the lowest of " +
      "5 s of quiet sampled every 250 ms (the runtime collects garbage when the process goes idle); " +
      `between them, right after each quarter of the calls (${p.idleMs} ms pause): a plateau is the ` +
      "garbage collector's working set, a steady climb is a leak. scripts/bench/heap.ts counts the " +
      "live objects by type at the same points.",
    "- **Ten servers**: a config with ten stdio servers (4 × server-everything, 3 × server-memory, " +
      "3 × server-filesystem) whose schemas are cached: the gateway answers `tools/list` without " +
      "starting any; next to it, the summed RSS of the same ten started and initialized directly.",
    "- **Peers** run as `node <bin>` fronting the same server: mcp-proxy `--port P --host " +
      "127.0.0.1 -- node server-everything stdio` (Streamable HTTP at /mcp, SSE at /sse); " +
      'supergateway `--stdio "node server-everything stdio" --port P --logLevel none` (SSE at ' +
      "/sse; with `--outputTransport streamableHttp --stateful`, Streamable HTTP at /mcp); mcp-hub " +
      "`--port P --config <file with the server>` (SSE at GET /mcp + POST /messages; tool " +
      "`everything__echo`). Per-message logging is off where a peer has it.",
    "- The client (this script) shares the 2 cores with the process under test and its backend: " +
      "the figures are for this machine, and are best read as ratios.",
  ].join("\n");
}
