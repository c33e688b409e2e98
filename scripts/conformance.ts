// Runs the official MCP conformance suite (server scenarios) against a fixture served directly and
// through the gateway (transparent mode), and prints the verdicts side by side.
//   bun scripts/conformance.ts [--requirements 2025-11-25|2026-07-28] [--fixture legacy|dual|tasks]
//                              [--via stdio|http] [--runs N] [--suite active|all] [--scenario NAME]
//                              [--scenarios A,B,…] [--extension tasks]
// --scenarios runs each named scenario (one suite run each) and judges them all; --extension
// tasks is the tasks extension's scenarios (TASK_SCENARIOS), on the tasks fixture by default.
// --requirements runs exactly what that revision requires (the default: 2025-11-25); the verdict
// counts the required scenarios only. The legacy fixture cannot speak 2026-07-28 at all: there the
// gateway alone is run, and the scenarios a bridge cannot make pass (BRIDGE_LIMITS) are expected
// to fail. The suite comes from node_modules/.bin/conformance, or $CONFORMANCE_BIN.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Fixture,
  type Host,
  serveDirect,
  serveThroughGateway,
  type Via,
} from "../test/conformance/hosts.ts";

type Status = "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | "SKIPPED";
interface Check {
  id: string;
  name: string;
  status: Status;
  errorMessage?: string;
}
/** scenario → its checks. */
type Results = Map<string, Check[]>;

/**
 * 2026-07-28 scenarios no gateway can pass in front of a legacy-only server (README, "Protocol
 * eras"): the suite wants an input request keyed `user_name` (a modern server names its own keys;
 * a legacy server's requests have none), and a server that adapts to per-request capabilities (a
 * legacy server learned the gateway's capabilities once, at initialize).
 */
export const BRIDGE_LIMITS = new Set([
  "input-required-result-basic-elicitation",
  "input-required-result-capability-check",
]);

/** The conformance suite's scenarios of the io.modelcontextprotocol/tasks extension (alpha.12). */
export const TASK_SCENARIOS = [
  "tasks-lifecycle",
  "tasks-capability-negotiation",
  "tasks-wire-fields",
  "tasks-request-state-removal",
  "tasks-mrtr-input",
  "tasks-request-headers",
  "tasks-dispatch-and-envelope",
  "tasks-status-notifications",
  "tasks-required-task-error",
  "tasks-mrtr-composition",
];

const ROOT = fileURLToPath(new URL("..", import.meta.url));

function suiteBin(): string {
  const bin = process.env.CONFORMANCE_BIN ?? join(ROOT, "node_modules/.bin/conformance");
  if (!existsSync(bin))
    throw new Error(
      `conformance suite not found at ${bin}: install @modelcontextprotocol/conformance or set CONFORMANCE_BIN`,
    );
  return bin;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function run(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, suiteBin(), ...args], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 10 * 60_000);
  const [stdout, stderr] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  await proc.exited;
  clearTimeout(timer);
  return { stdout, stderr };
}

/** The server scenarios a revision requires, from the suite's own list. */
async function required(revision: string): Promise<Set<string>> {
  const { stdout } = await run(["list", "--requirements", revision]);
  const out = new Set<string>();
  let inServer = false;
  for (const line of stdout.split("\n")) {
    if (/^Server scenarios/.test(line)) inServer = true;
    else if (/^\S/.test(line)) inServer = false;
    const m = /^\s+- (\S+)$/.exec(line);
    if (inServer && m?.[1]) out.add(m[1]);
  }
  if (out.size === 0) throw new Error(`no required server scenarios listed for ${revision}`);
  return out;
}

/** The suite once per scenario of `scenarios` (else once with `opts`), results merged. */
async function runAll(url: string, opts: string[], scenarios?: string[]): Promise<Results> {
  if (!scenarios) return runSuite(url, opts);
  const all: Results = new Map();
  for (const s of scenarios)
    for (const [name, checks] of await runSuite(url, ["--scenario", s])) all.set(name, checks);
  return all;
}

/** One run of the suite against `url`; results come from the checks.json files it writes. */
async function runSuite(url: string, opts: string[]): Promise<Results> {
  const out = mkdtempSync(join(tmpdir(), "conformance-out-"));
  try {
    const { stdout, stderr } = await run(["server", "--url", url, "-o", out, ...opts]);
    const results: Results = new Map();
    for (const dir of readdirSync(out)) {
      const name = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(dir)?.[1] ?? dir;
      const file = join(out, dir, "checks.json");
      if (existsSync(file)) results.set(name, JSON.parse(readFileSync(file, "utf8")) as Check[]);
    }
    if (results.size === 0) throw new Error(`the suite wrote no results:\n${stdout}\n${stderr}`);
    return results;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const count = (checks: Check[], s: Status) => checks.filter((c) => c.status === s).length;
const passed = (checks: Check[] | undefined) =>
  checks !== undefined && count(checks, "FAILURE") === 0;
const summary = (checks: Check[] | undefined) =>
  checks === undefined
    ? "—"
    : `${count(checks, "SUCCESS")}/${count(checks, "SUCCESS") + count(checks, "FAILURE")}` +
      (count(checks, "WARNING") ? ` ${count(checks, "WARNING")}w` : "");

/** Prints the table; true when the gateway passes every judged scenario it should. */
function report(
  label: string,
  judged: Set<string> | undefined,
  direct: Results | undefined,
  gateway: Results,
  expectFail: Set<string>,
): boolean {
  const names = [...new Set([...(direct?.keys() ?? []), ...gateway.keys()])]
    .filter((n) => !judged || judged.has(n))
    .sort();
  const width = Math.max(...names.map((n) => n.length), 8);
  console.log(`\n${label}: ${"scenario".padEnd(width)}  direct      gateway     verdict`);
  let ok = true;
  let [d, g] = [0, 0];
  for (const name of names) {
    const dc = direct?.get(name);
    const gc = gateway.get(name);
    const should = direct ? passed(dc) : !expectFail.has(name);
    const good = should ? passed(gc) : true;
    if (passed(dc)) d++;
    if (passed(gc)) g++;
    ok &&= good;
    const verdict = good ? (should ? "ok" : "expected (bridge limit)") : "FAIL";
    console.log(
      `       ${name.padEnd(width)}  ${summary(dc).padEnd(10)}  ${summary(gc).padEnd(10)}  ${verdict}`,
    );
    for (const c of gc?.filter((c) => c.status === "FAILURE" || c.status === "WARNING") ?? [])
      console.log(`         gateway ${c.status} ${c.id}: ${c.errorMessage ?? ""}`);
  }
  console.log(
    `       ${"scenarios passed".padEnd(width)}  ${direct ? `${d}/${names.length}` : "—"}`.padEnd(
      width + 19,
    ) + `  ${g}/${names.length}`,
  );
  return ok;
}

async function main(): Promise<number> {
  const runs = Number(arg("runs") ?? 1);
  const scenarios =
    arg("extension") === "tasks" ? TASK_SCENARIOS : arg("scenarios")?.split(",").filter(Boolean);
  const revision =
    arg("requirements") ??
    (arg("suite") || arg("scenario") || scenarios ? undefined : "2025-11-25");
  const fixture = (arg("fixture") ?? arg("extension") ?? "legacy") as Fixture;
  const via = (arg("via") ?? "stdio") as Via;
  const opts = revision
    ? ["--requirements", revision]
    : arg("scenario")
      ? ["--scenario", arg("scenario") ?? ""]
      : ["--suite", arg("suite") ?? "active"];
  const judged = revision ? await required(revision) : scenarios ? new Set(scenarios) : undefined;
  // The legacy fixture has no modern era: nothing to compare with, only the bridge to measure.
  const direct = !(fixture === "legacy" && revision && revision >= "2026-07-28");
  let ok = true;
  for (let i = 1; i <= runs; i++) {
    const hosts: Host[] = [];
    try {
      const d = direct ? await serveDirect(fixture) : undefined;
      if (d) hosts.push(d);
      const gw = await serveThroughGateway(fixture, via);
      hosts.push(gw);
      const dr = d ? await runAll(d.url, opts, scenarios) : undefined;
      const gr = await runAll(gw.url, opts, scenarios);
      const what = revision ?? (scenarios ? `${scenarios.length} scenarios` : opts.join(" "));
      const label = `run ${i} (${what}, ${fixture} fixture, gateway via ${via})`;
      ok = report(label, judged, dr, gr, direct ? new Set() : BRIDGE_LIMITS) && ok;
    } finally {
      for (const h of hosts) await h.close();
    }
  }
  console.log(
    ok
      ? "\nthe gateway passes every scenario the server behind it passes"
      : "\nFAILURES through the gateway",
  );
  return ok ? 0 : 1;
}

if (import.meta.main) process.exitCode = await main();
