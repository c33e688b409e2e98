// The targets, each judged against the figures of this run: met, missed, or not measured.
import { median } from "./load.ts";
import type { Figure } from "./measure.ts";
import { fig, num, type Results, times, type WayResult } from "./results.ts";

export interface TargetRow {
  target: string;
  figure: string;
  verdict: string;
}

const verdict = (ok: boolean) => (ok ? "met" : "**missed**");
const absent = (why: string): Pick<TargetRow, "figure" | "verdict"> => ({
  figure: why,
  verdict: "not measured",
});

const measured = (r: WayResult | undefined): r is WayResult =>
  r !== undefined && r.rounds.length > 0;

function vsFloor(
  target: string,
  r: WayResult | undefined,
  floor: WayResult | undefined,
  key: Figure,
  unit: string,
  ok: (ratio: number) => boolean,
): TargetRow {
  if (!measured(r) || !measured(floor)) return { target, ...absent("way or floor not measured") };
  const v = fig(r, key);
  const x = v / fig(floor, key);
  return { target, figure: `${num(v, unit)} = ${times(x)} direct`, verdict: verdict(ok(x)) };
}

function vsPeers(
  target: string,
  r: WayResult | undefined,
  peers: WayResult[],
  key: Figure,
  unit: string,
  higher: boolean,
): TargetRow {
  if (!measured(r)) return { target, ...absent("way not measured") };
  const ran = peers.filter(measured);
  if (ran.length === 0) return { target, ...absent("no peer measured (run with --peers)") };
  const v = fig(r, key);
  const best = ran.reduce((a, b) =>
    higher ? (fig(b, key) > fig(a, key) ? b : a) : fig(b, key) < fig(a, key) ? b : a,
  );
  const bv = fig(best, key);
  return {
    target,
    figure: `${num(v, unit)}; best peer ${num(bv, unit)} (${best.way.label})`,
    verdict: verdict(higher ? v > bv : v < bv),
  };
}

function atMost(target: string, r: WayResult | undefined, key: Figure, limit: number): TargetRow {
  if (!measured(r)) return { target, ...absent("way not measured") };
  const v = fig(r, key);
  return { target, figure: num(v, "µs"), verdict: verdict(v <= limit) };
}

export function targetRows(results: Results): TargetRow[] {
  const by = (id: string) => results.ways.find((w) => w.way.id === id);
  const floor = by("direct");
  const stdio = by("gw-stdio");
  const peers = results.ways.filter((w) => w.way.kind === "peer");
  const rows: TargetRow[] = [
    vsFloor("gateway stdio p50 ≤ 2.0x direct", stdio, floor, "p50Us", "µs", (x) => x <= 2),
    vsFloor(
      "gateway stdio calls/s ≥ 0.5x direct",
      stdio,
      floor,
      "callsPerSec",
      "",
      (x) => x >= 0.5,
    ),
  ];
  for (const [id, name] of [
    ["gw-http", "Streamable HTTP"],
    ["gw-sse", "SSE"],
  ] as const) {
    const r = by(id);
    rows.push(
      vsPeers(`${name} p50 below every peer's`, r, peers, "p50Us", "µs", false),
      vsPeers(`${name} calls/s above every peer's`, r, peers, "callsPerSec", "", true),
      atMost(`${name} gateway CPU/call sequential ≤ 150 µs`, r, "cpuSeqUs", 150),
      atMost(`${name} gateway CPU/call at 32 in flight ≤ 75 µs`, r, "cpuLoadUs", 75),
    );
  }
  for (const id of ["gw-stdio", "gw-http", "gw-sse"]) {
    const r = by(id);
    const label = r?.way.label ?? id;
    rows.push(
      vsFloor(`${label}: 1 MB echo ≤ 1.5x direct`, r, floor, "bigMs", "ms", (x) => x <= 1.5),
    );
  }

  const t = results.ten;
  if (typeof t === "string") {
    for (const target of [
      "ten servers: first tools/list ≤ 100 ms after spawn",
      "ten servers: idle RSS ≤ 60 MB, no backend process",
    ])
      rows.push({ target, ...absent(t) });
  } else {
    const startup = median(t.map((x) => x.startupMs));
    const rss = median(t.map((x) => x.gatewayRssMb));
    const backends = Math.max(...t.map((x) => x.backends));
    rows.push(
      {
        target: "ten servers: first tools/list ≤ 100 ms after spawn",
        figure: num(startup, "ms"),
        verdict: verdict(startup <= 100),
      },
      {
        target: "ten servers: idle RSS ≤ 60 MB, no backend process",
        figure: `${num(rss, "MB")}, ${backends} backend processes`,
        verdict: verdict(rss <= 60 && backends === 0),
      },
    );
  }

  rows.push(...sdkTargets(by));

  const g = results.growth;
  const growthTarget = "gateway RSS after 100,000 calls ≤ 1.1x after warm-up";
  if (typeof g === "string") rows.push({ target: growthTarget, ...absent(g) });
  else {
    const x = g.afterMb / g.beforeMb;
    rows.push({
      target: growthTarget,
      figure: `${num(g.beforeMb, "MB")} → ${num(g.afterMb, "MB")} (${times(x)}, ${g.calls.toLocaleString("en-US")} calls)`,
      verdict: verdict(x <= 1.1),
    });
  }
  return rows;
}

/** Issue 20: the distance to the floor, measured with the SDK's own client on every way. */
function sdkTargets(by: (id: string) => WayResult | undefined): TargetRow[] {
  const floor = by("direct+sdk");
  const stdio = by("gw-stdio+sdk");
  const http = by("gw-http+sdk");
  const rows = [
    vsFloor("SDK client: stdio p50 ≤ 1.5x direct", stdio, floor, "p50Us", "µs", (x) => x <= 1.5),
    vsFloor(
      "SDK client: stdio calls/s @32 ≥ 0.75x direct",
      stdio,
      floor,
      "callsPerSec",
      "",
      (x) => x >= 0.75,
    ),
  ];
  for (const id of ["gw-stdio+sdk", "gw-http+sdk", "gw-sse+sdk"]) {
    const r = by(id);
    rows.push(
      vsFloor(
        `${r?.way.label ?? id}: 1 MB echo ≤ 1.2x direct`,
        r,
        floor,
        "bigMs",
        "ms",
        (x) => x <= 1.2,
      ),
    );
  }
  rows.push(
    atMost(
      "SDK client: Streamable HTTP gateway CPU/call sequential ≤ 120 µs",
      http,
      "cpuSeqUs",
      120,
    ),
    atMost(
      "SDK client: Streamable HTTP gateway CPU/call at 32 in flight ≤ 60 µs",
      http,
      "cpuLoadUs",
      60,
    ),
  );
  return rows;
}
