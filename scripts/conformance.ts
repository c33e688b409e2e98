// Runs the official MCP conformance suite (server scenarios, active suite) against the
// conformance fixture served directly and through the gateway (transparent mode), and prints
// the results side by side. Usage: bun scripts/conformance.ts [--runs N] [--scenario NAME]
// [--suite active|all|pending] (default: the suite's own default, "active").
// The suite comes from node_modules/.bin/conformance, or $CONFORMANCE_BIN.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Host, serveDirect, serveThroughGateway } from "../test/conformance/hosts.ts";

type Status = "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | "SKIPPED";
interface Check {
  id: string;
  name: string;
  status: Status;
  errorMessage?: string;
}
/** scenario → its checks. */
type Results = Map<string, Check[]>;

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

/** One run of the suite against `url`; results come from the checks.json files it writes. */
async function runSuite(url: string, scenario?: string, suite?: string): Promise<Results> {
  const out = mkdtempSync(join(tmpdir(), "conformance-out-"));
  try {
    const cmd = [process.execPath, suiteBin(), "server", "--url", url, "-o", out];
    if (scenario) cmd.push("--scenario", scenario);
    else if (suite) cmd.push("--suite", suite);
    const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
    const timer = setTimeout(() => proc.kill("SIGKILL"), 10 * 60_000);
    const [stdout, stderr] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
    ]);
    await proc.exited;
    clearTimeout(timer);
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
const summary = (checks: Check[]) =>
  `${count(checks, "SUCCESS")}/${count(checks, "SUCCESS") + count(checks, "FAILURE")}` +
  (count(checks, "WARNING") ? ` ${count(checks, "WARNING")}w` : "");
/** Statuses per check, INFO rows left out (they describe, they do not judge). */
const verdicts = (checks: Check[]) =>
  checks
    .filter((c) => c.status !== "INFO")
    .map((c) => `${c.id}:${c.status}`)
    .join(",");

function report(run: number, direct: Results, gateway: Results): boolean {
  const names = [...new Set([...direct.keys(), ...gateway.keys()])].sort();
  const width = Math.max(...names.map((n) => n.length));
  console.log(`\nrun ${run}: ${"scenario".padEnd(width)}  direct      gateway     same`);
  let same = true;
  const total = { direct: [] as Check[], gateway: [] as Check[] };
  for (const name of names) {
    const d = direct.get(name) ?? [];
    const g = gateway.get(name) ?? [];
    total.direct.push(...d);
    total.gateway.push(...g);
    const equal = verdicts(d) === verdicts(g);
    same &&= equal;
    console.log(
      `       ${name.padEnd(width)}  ${summary(d).padEnd(10)}  ${summary(g).padEnd(10)}  ${equal ? "yes" : "NO"}`,
    );
    for (const c of g.filter((c) => c.status === "FAILURE" || c.status === "WARNING"))
      console.log(`         gateway ${c.status} ${c.name}: ${c.errorMessage ?? ""}`);
    if (!equal)
      for (const c of d.filter((c) => c.status === "FAILURE" || c.status === "WARNING"))
        console.log(`         direct  ${c.status} ${c.name}: ${c.errorMessage ?? ""}`);
  }
  console.log(
    `       ${"TOTAL (passed/judged, warnings)".padEnd(width)}  ${summary(total.direct).padEnd(10)}  ${summary(total.gateway).padEnd(10)}  ${same ? "yes" : "NO"}`,
  );
  return same && count(total.gateway, "FAILURE") === 0;
}

async function main(): Promise<number> {
  const runs = Number(arg("runs") ?? 1);
  const scenario = arg("scenario");
  const suite = arg("suite");
  let ok = true;
  for (let run = 1; run <= runs; run++) {
    const hosts: Host[] = [];
    try {
      const direct = serveDirect();
      hosts.push(direct);
      const gateway = await serveThroughGateway();
      hosts.push(gateway);
      const [d, g] = [
        await runSuite(direct.url, scenario, suite),
        await runSuite(gateway.url, scenario, suite),
      ];
      ok = report(run, d, g) && ok;
    } finally {
      for (const h of hosts) await h.close();
    }
  }
  console.log(ok ? "\nsame results, no failure through the gateway" : "\nDIFFERENCES or failures");
  return ok ? 0 : 1;
}

process.exitCode = await main();
