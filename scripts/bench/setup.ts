// Before measuring: the command line, the machine, and a compiled gateway no older than src/.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import type { Plan } from "./measure.ts";
import { run } from "./spawn.ts";
import { ROOT } from "./way.ts";
import { oneLine } from "./within.ts";

export interface Options {
  quick: boolean;
  peers: boolean;
  /** Also measure every way with the MCP SDK's own client (default; --no-sdk skips it). */
  sdk: boolean;
  rounds: number;
  /** Run the gateway as `bun src/main.ts` instead of the compiled binary. */
  source: boolean;
  build: boolean;
  /** Where the report goes; undefined: stdout only. */
  out: string | undefined;
  peersDir: string | undefined;
  only: string[] | undefined;
  growthCalls: number;
  tenRounds: number;
  /** Streamable HTTP sessions held open in the sessions pass. */
  sessions: number;
  /** Whole-run budget in seconds: no new round starts once it would overrun. */
  budgetS: number;
  plan: Plan;
}

export const USAGE = `usage: bun scripts/bench.ts [--quick] [--peers] [--rounds N] [--source] [--no-build]
                           [--out FILE | --no-write] [--peers-dir DIR] [--only ID,ID] [--no-sdk]

  --quick      1 round, short phases, 10,000 growth calls; prints only (smoke check of the script)
  --peers      also mcp-proxy, supergateway and mcp-hub, npm-installed into a temp folder
  --rounds N   rounds per way (default 5; each starts every way afresh, rotated order)
  --source     run the gateway from src/ with bun instead of the compiled binary
  --no-build   use dist/mcp-gateway as it is, even if src/ is newer
  --out FILE   where the report goes (default BENCHMARKS.md; --quick and --no-write: stdout only)
  --peers-dir  reuse (or fill) this folder for the peers' npm install
  --only       way ids: direct, gw-stdio, gw-http, gw-modern, gw-sse, mcp-proxy-http,
               mcp-proxy-sse, supergateway-sse, supergateway-http, mcp-hub-sse; with +sdk (e.g.
               gw-http+sdk) the SDK-client pass of a way (the floors are always measured)
  --no-sdk     skip the SDK-client pass (every way again, measured with the MCP SDK's client)`;

export function parseOptions(argv: string[]): Options {
  const has = (flag: string) => argv.includes(flag);
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value\n${USAGE}`);
    return v;
  };
  const known = [
    "--quick",
    "--peers",
    "--source",
    "--no-build",
    "--no-write",
    "--no-sdk",
    "--help",
  ];
  const valued = ["--rounds", "--out", "--peers-dir", "--only"];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (valued.includes(a)) i++;
    else if (!known.includes(a)) throw new Error(`unknown argument "${a}"\n${USAGE}`);
  }
  const quick = has("--quick");
  const peers = has("--peers");
  const rounds = Number(value("--rounds") ?? (quick ? 1 : 5));
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds must be a whole number ≥ 1`);
  const write = !quick && !has("--no-write");
  return {
    quick,
    peers,
    sdk: !has("--no-sdk"),
    rounds,
    source: has("--source"),
    build: !has("--no-build"),
    out: value("--out") ?? (write ? join(ROOT, "BENCHMARKS.md") : undefined),
    peersDir: value("--peers-dir"),
    only: value("--only")?.split(","),
    growthCalls: quick ? 10_000 : 100_000,
    tenRounds: quick ? 1 : 3,
    sessions: quick ? 100 : 1000,
    budgetS: peers ? 19 * 60 : 9.5 * 60,
    plan: quick
      ? {
          warmup: 50,
          sequential: 300,
          inFlight: 32,
          loadMs: 1000,
          bigRounds: 2,
          bigBytes: 1_000_000,
          idleMs: 200,
        }
      : {
          warmup: 200,
          sequential: 2000,
          inFlight: 32,
          loadMs: 5000,
          bigRounds: 5,
          bigBytes: 1_000_000,
          idleMs: 500,
        },
  };
}

export function machine(): string {
  const model = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "?";
  const mem = /MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1];
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  return (
    `${cpus().length} CPUs (nproc), ${model.trim()}, ${Math.round(Number(mem) / 1024 / 1024)} GB RAM, ` +
    `Linux ${readFileSync("/proc/sys/kernel/osrelease", "utf8").trim()}, Bun ${Bun.version}, ` +
    `Node ${nodeVersion()}; load average at start ${load}`
  );
}

function nodeVersion(): string {
  const out = Bun.spawnSync(["node", "--version"]);
  return out.stdout.toString().trim() || "?";
}

function newest(dir: string): number {
  let latest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    latest = Math.max(latest, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return latest;
}

/**
 * The gateway command line, building dist/mcp-gateway when it is missing or older than src/. A
 * failed build falls back to the binary already there, said loudly in the report.
 */
export async function gatewayCommand(
  opts: Options,
): Promise<{ cmd: string[]; what: string; warning?: string }> {
  if (opts.source) {
    return { cmd: [process.execPath, join(ROOT, "src/main.ts")], what: "bun src/main.ts (source)" };
  }
  const bin = join(ROOT, "dist/mcp-gateway");
  const stale = !existsSync(bin) || statSync(bin).mtimeMs < newest(join(ROOT, "src"));
  let warning: string | undefined;
  if (stale && opts.build) {
    process.stderr.write("bench: dist/mcp-gateway is missing or older than src/: building it\n");
    const out = await run([process.execPath, "scripts/build.ts"], {
      cwd: ROOT,
      timeoutMs: 300_000,
    });
    if (out.code !== 0) {
      const why = `scripts/build.ts exited ${out.code}: ${oneLine(out.out, 300)}`;
      if (!existsSync(bin)) throw new Error(`${why} (try --source)`);
      warning = `the build failed, so the binary measured is OLDER than src/ (${why})`;
      process.stderr.write(`bench: WARNING: ${warning}\n`);
    }
  } else if (!existsSync(bin)) throw new Error(`${bin} is missing (--no-build given)`);
  else if (stale) warning = "dist/mcp-gateway is older than src/ (--no-build given)";
  const version = Bun.spawnSync([bin, "--version"]).stdout.toString().trim();
  return { cmd: [bin], what: `compiled binary dist/mcp-gateway v${version}`, warning };
}

const BEGIN = "<!-- bench:begin (generated by scripts/bench.ts; edit outside these markers) -->";
const END = "<!-- bench:end -->";

/** Puts the generated block between the markers, keeping the hand-written text around it. */
export function spliceReport(existing: string | undefined, block: string): string {
  const generated = `${BEGIN}\n${block}\n${END}`;
  if (existing?.includes(BEGIN) && existing.includes(END)) {
    return (
      existing.slice(0, existing.indexOf(BEGIN)) +
      generated +
      existing.slice(existing.indexOf(END) + END.length)
    );
  }
  return [
    "# Benchmarks",
    "",
    "What the gateway costs next to talking to an MCP server directly, and next to other MCP",
    "gateways, with `@modelcontextprotocol/server-everything`'s `echo` tool as the backend.",
    "",
    "Reproduce (on this 2-core machine about 4 minutes; with the peers about 8):",
    "",
    "```sh",
    "bun run bench            # direct, gateway stdio / Streamable HTTP / SSE",
    "bun run bench --peers    # the same plus mcp-proxy, supergateway and mcp-hub (npm-installed to a temp folder)",
    "bun run bench --quick    # a smoke check of the script: one short round, prints only",
    "```",
    "",
    "## Results",
    "",
    generated,
    "",
  ].join("\n");
}
