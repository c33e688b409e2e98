/**
 * Benchmarks: the gateway next to direct stdio (the floor) and, with --peers, next to other MCP
 * gateways, all fronting @modelcontextprotocol/server-everything's `echo`. Prints a markdown table
 * and writes it into BENCHMARKS.md (between its markers). `--help` lists the options.
 *
 *   bun run bench [--peers] [--quick]
 *
 * Every process is started by this script and stopped by pid (its whole tree), on errors and on
 * Ctrl-C too. No wait is unbounded, and the whole run keeps to a time budget.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Growth, memoryGrowth, setupTen, type TenRound, tenRound } from "./bench/extras.ts";
import { measureWay } from "./bench/measure.ts";
import { installPeers, peerWays } from "./bench/peers.ts";
import { renderResults } from "./bench/report.ts";
import type { Results, WayResult } from "./bench/results.ts";
import { sdkWays } from "./bench/sdk-ways.ts";
import { type SessionsFigures, sessionsPass } from "./bench/sessions.ts";
import {
  gatewayCommand,
  machine,
  type Options,
  parseOptions,
  spliceReport,
  USAGE,
} from "./bench/setup.ts";
import { stopAll } from "./bench/spawn.ts";
import type { Way } from "./bench/way.ts";
import { direct, gatewayWays, setupGateway } from "./bench/ways.ts";
import { errorText, oneLine } from "./bench/within.ts";

const started = Date.now();
const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
/** Time kept back for the memory-growth and ten-servers figures after the rounds. */
const EXTRAS_S = 150;

async function rounds(ways: Way[], opts: Options, notes: string[]): Promise<[WayResult[], number]> {
  const results: WayResult[] = ways.map((way) => ({ way, rounds: [], errors: [] }));
  let done = 0;
  for (let r = 0; r < opts.rounds; r++) {
    const t0 = Date.now();
    // Rotate the order each round so that a burst of background load does not always hit one way.
    const order = results.map((_, i) => results[(i + r) % results.length]);
    for (const res of order) {
      if (!res || res.skipped) continue;
      const tw = Date.now();
      try {
        const f = await measureWay(res.way, opts.plan);
        res.rounds.push(f);
        say(
          `round ${r + 1}/${opts.rounds} ${res.way.label}: p50 ${f.p50Us.toFixed(0)} µs, ` +
            `${f.callsPerSec.toFixed(0)} calls/s, startup ${f.startupMs.toFixed(0)} ms ` +
            `(${((Date.now() - tw) / 1000).toFixed(1)} s)`,
        );
      } catch (e) {
        const why = oneLine(errorText(e), 400);
        if (res.rounds.length === 0) res.skipped = why;
        else res.errors.push(why);
        say(
          `round ${r + 1}/${opts.rounds} ${res.way.label}: ${res.rounds.length ? "failed" : "SKIPPED"}: ${why}`,
        );
      }
    }
    done++;
    const roundS = (Date.now() - t0) / 1000;
    const leftS = opts.budgetS - (Date.now() - started) / 1000;
    if (r + 1 < opts.rounds && leftS < roundS + EXTRAS_S) {
      notes.push(`Stopped after ${done} of ${opts.rounds} rounds to keep to the time budget.`);
      break;
    }
  }
  return [results, done];
}

async function tenFigures(cmd: string[], dir: string, opts: Options): Promise<TenRound[] | string> {
  try {
    const ten = await setupTen(cmd, dir);
    const out: TenRound[] = [];
    for (let i = 0; i < opts.tenRounds; i++) out.push(await tenRound(ten, opts.plan.idleMs));
    return out;
  } catch (e) {
    return errorText(e);
  }
}

async function main(opts: Options, tmp: string): Promise<void> {
  const notes: string[] = [];
  const info = machine();
  say(`temp folder ${tmp}`);
  const gateway = await gatewayCommand(opts);
  say(`gateway: ${gateway.what}`);
  if (gateway.warning) notes.push(`**Warning**: ${gateway.warning}.`);
  const g = await setupGateway(gateway.cmd, join(tmp, "gateway"));
  let ways: Way[] = [direct, ...gatewayWays(g)];
  if (opts.sdk) ways.push(...sdkWays(ways));
  if (opts.peers) {
    say("installing peers with npm");
    try {
      const peers = await installPeers(opts.peersDir ?? join(tmp, "peers"));
      ways.push(...(await peerWays(peers)));
    } catch (e) {
      notes.push(`Peers not measured: ${errorText(e)}`);
    }
  }
  if (opts.only) {
    const only = opts.only;
    ways = ways.filter((w) => w.kind === "floor" || only.includes(w.id));
  }

  const [wayResults, done] = await rounds(ways, opts, notes);
  say(`rounds done (${elapsed()}); memory growth over ${opts.growthCalls} calls`);
  let growth: Growth | string;
  try {
    growth = await memoryGrowth(g, opts.growthCalls, opts.plan.inFlight, opts.plan.idleMs);
  } catch (e) {
    growth = errorText(e);
  }
  say(`ten servers (${elapsed()})`);
  const ten = await tenFigures(gateway.cmd, join(tmp, "ten"), opts);
  say(`${opts.sessions} Streamable HTTP sessions (${elapsed()})`);
  let sessions: SessionsFigures | string;
  try {
    sessions = await sessionsPass(g, opts.sessions, opts.plan.sequential, opts.plan.idleMs);
  } catch (e) {
    sessions = errorText(e);
  }

  const command = `bun run bench${Bun.argv.slice(2).length ? ` ${Bun.argv.slice(2).join(" ")}` : ""}`;
  const results: Results = {
    info: {
      command,
      machine: info,
      date: `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
      roundsDone: done,
      plan: opts.plan,
      gateway: gateway.what,
      notes: [...notes, `Whole run: ${elapsed()}.`],
    },
    ways: wayResults,
    growth,
    ten,
    sessions,
  };
  const block = renderResults(results);
  process.stdout.write(`${block}\n`);
  if (opts.out) {
    const existing = existsSync(opts.out) ? await readFile(opts.out, "utf8") : undefined;
    await writeFile(opts.out, spliceReport(existing, block));
    say(`written to ${opts.out}`);
  }
}

let opts: Options;
try {
  opts = parseOptions(Bun.argv.slice(2));
} catch (e) {
  process.stderr.write(`${errorText(e)}\n`);
  process.exit(2);
}
if (Bun.argv.includes("--help")) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const tmp = await mkdtemp(join(tmpdir(), "mcp-gateway-bench-"));
const cleanup = async () => {
  const strays = await stopAll();
  if (strays > 0) say(`stopped ${strays} stray process(es)`);
  await rm(tmp, { recursive: true, force: true }).catch(() => {});
};
let interrupted = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, async () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say(`${sig}: stopping every process started`);
    await cleanup();
    process.exit(130);
  });
}
// A hard stop well past the budget, in case some step hangs in a way no bound caught.
const hardStop = setTimeout(
  async () => {
    say("over the time budget by far: stopping");
    await cleanup();
    process.exit(1);
  },
  opts.budgetS * 1000 * 1.5 + 120_000,
);

let code = 0;
try {
  await main(opts, tmp);
} catch (e) {
  say(`FAILED: ${errorText(e)}`);
  code = 1;
} finally {
  clearTimeout(hardStop);
  await cleanup();
}
process.exit(code);
