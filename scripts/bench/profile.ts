/**
 * Where the gateway spends its CPU under load: runs it from source with `bun --cpu-prof`, keeps
 * 32 echo calls in flight for a while through one front, stops it cleanly (so the profile is
 * written) and prints the functions with the most self time, and the most inclusive time.
 *
 *   bun scripts/bench/profile.ts [stdio|http|sse] [seconds] [--top N] [--big]
 *
 * --big: one 1 MB echo at a time instead of 32 small calls in flight.
 *
 * The .cpuprofile is kept (path printed) for Chrome DevTools or speedscope.
 */
import { mkdir, mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { closedLoop } from "./load.ts";
import { echo } from "./rpc.ts";
import { stopAll } from "./spawn.ts";
import { freePort, httpLaunch, type Launched, ROOT, stdioLaunch } from "./way.ts";
import { setupGateway } from "./ways.ts";
import { within } from "./within.ts";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const argv = Bun.argv.slice(2);
const front = argv.find((a) => ["stdio", "http", "sse"].includes(a)) ?? "stdio";
const seconds = Number(argv.find((a) => /^\d+$/.test(a)) ?? 10);
const topIndex = argv.indexOf("--top");
const top = topIndex >= 0 ? Number(argv[topIndex + 1]) : 25;
const big = argv.includes("--big");

function frameName(n: Node): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const file = url ? relative(ROOT, url.replace(/^file:\/\//, "")) : "";
  return `${functionName || "(anonymous)"}${file ? ` ${file}:${lineNumber + 1}` : ""}`;
}

/** Self and inclusive milliseconds per function (by name and location), largest self first. */
export function summarize(p: Profile): { name: string; selfMs: number; totalMs: number }[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const ms = (p.timeDeltas[i + 1] ?? p.timeDeltas[i] ?? 0) / 1000;
    const leaf = byId.get(p.samples[i] ?? -1);
    if (!leaf) continue;
    const leafName = frameName(leaf);
    self.set(leafName, (self.get(leafName) ?? 0) + ms);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id);
      if (!n) break;
      const name = frameName(n);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + ms);
    }
  }
  return [...total.keys()]
    .map((name) => ({ name, selfMs: self.get(name) ?? 0, totalMs: total.get(name) ?? 0 }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "mcp-gateway-profile-"));
  const profDir = join(dir, "prof");
  await mkdir(profDir);
  const g = await setupGateway([process.execPath, join(ROOT, "src/main.ts")], join(dir, "gw"));
  const cmd = [
    process.execPath,
    "--cpu-prof",
    `--cpu-prof-dir=${profDir}`,
    join(ROOT, "src/main.ts"),
  ];
  let launched: Launched;
  if (front === "stdio")
    launched = stdioLaunch([...cmd, "stdio", "--config", g.config], { env: g.env });
  else {
    const port = freePort();
    const serve = [...cmd, "serve", "--port", String(port), "--config", g.config];
    const path = front === "http" ? "/mcp" : "/sse";
    launched = httpLaunch(
      serve,
      front === "http" ? "streamable" : "sse",
      `http://127.0.0.1:${port}${path}`,
      {
        env: g.env,
      },
    );
  }
  const client = await within(60_000, "connect", launched.connect(Date.now() + 60_000));
  const t = echo("everything_echo", big ? "x".repeat(1_000_000) : "hello");
  const inFlight = big ? 1 : 32;
  await closedLoop(client, t, inFlight, { total: big ? 20 : 2000 });
  const load = await closedLoop(client, t, inFlight, { ms: seconds * 1000 });
  console.log(
    `${front}: ${load.calls} calls in ${load.seconds.toFixed(1)} s (${load.errors} failed)`,
  );
  await client.close();
  // A clean exit writes the profile: stdin closed (stdio) or SIGTERM (serve), bounded.
  if (front !== "stdio") process.kill(launched.child.pid, "SIGTERM");
  await within(15_000, "gateway exit", launched.child.exited).catch(() => launched.child.stop());
  const file = (await readdir(profDir)).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no profile written in ${profDir}: ${launched.child.stderrTail()}`);
  const profile = JSON.parse(await readFile(join(profDir, file), "utf8")) as Profile;
  const rows = summarize(profile);
  const sampled = rows.reduce((s, r) => s + r.selfMs, 0);
  console.log(`profile: ${join(profDir, file)} (${sampled.toFixed(0)} ms sampled)\n`);
  console.log("self ms  self %  total ms  function");
  for (const r of rows.slice(0, top)) {
    console.log(
      `${r.selfMs.toFixed(0).padStart(7)}  ${((100 * r.selfMs) / sampled).toFixed(1).padStart(5)}%  ${r.totalMs.toFixed(0).padStart(8)}  ${r.name}`,
    );
  }
  console.log("\ntop inclusive (total) time, gateway code only:");
  for (const r of rows
    .filter((x) => x.name.includes(" src/"))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, top)) {
    console.log(`${r.totalMs.toFixed(0).padStart(8)} ms  ${r.name}`);
  }
}

try {
  await main();
} finally {
  await stopAll();
}
