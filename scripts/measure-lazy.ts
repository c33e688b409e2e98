// Measures what lazy backends cost (SPEC 4), for the closing note:
//  - idle RSS: VmRSS of the gateway with 10 configured servers, none started, after it has answered
//    initialize + tools/list and sat idle for 1 s (median of 5 runs);
//  - warm start: time from spawn to the answer of the first tools/list, with the schema cache
//    filled for all 10 servers (median of 10 runs; initialize and tools/list are written at once).
// Both for `bun src/main.ts stdio` and, when it exists, the compiled dist/mcp-gateway.
// Usage: bun scripts/measure-lazy.ts
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { rssKb } from "../test/helpers/procfs.ts";

const ROOT = resolve(import.meta.dir, "..");
const BUN = process.execPath;
const FIXTURE = join(ROOT, "test/fixtures/server.ts");
const BINARY = join(ROOT, "dist/mcp-gateway");
const SERVERS = 10;
const STEP_TIMEOUT_MS = 20_000;

const dir = mkdtempSync(join(tmpdir(), "measure-lazy-"));
const config = join(dir, "gateway.yaml");
const cacheHome = join(dir, "cache");
const pids = join(dir, "pids");
const env = { ...process.env, XDG_CACHE_HOME: cacheHome, FIXTURE_PID_DIR: pids };
writeFileSync(
  config,
  JSON.stringify({
    servers: Object.fromEntries(
      Array.from({ length: SERVERS }, (_, i) => [
        `s${i}`,
        { command: BUN, args: [FIXTURE, "--tools", String(i)] },
      ]),
    ),
  }),
);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-11-25",
    capabilities: {},
    clientInfo: { name: "m", version: "1" },
  },
};
const REQUESTS = `${[
  INIT,
  { jsonrpc: "2.0", method: "notifications/initialized" },
  { jsonrpc: "2.0", id: 2, method: "tools/list" },
]
  .map((m) => JSON.stringify(m))
  .join("\n")}\n`;

interface Run {
  /** ms from spawn to the tools/list answer. */
  ms: number;
  tools: number;
  /** VmRSS in kB, 1 s after the answer. */
  rss: number;
}

/** One gateway: spawn, ask, time the answer, read its RSS, close stdin, wait for exit (bounded). */
async function once(cmd: string[]): Promise<Run> {
  const t0 = performance.now();
  const proc = Bun.spawn([...cmd, "stdio", "--config", config], {
    env,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "ignore",
  });
  const killer = setTimeout(() => proc.kill("SIGKILL"), STEP_TIMEOUT_MS);
  try {
    proc.stdin.write(REQUESTS);
    proc.stdin.flush();
    const decoder = new TextDecoder();
    let buffer = "";
    let answer: { result?: { tools?: unknown[] } } | undefined;
    for await (const chunk of proc.stdout) {
      buffer += decoder.decode(chunk, { stream: true });
      const line = buffer.split("\n").find((l) => l.startsWith('{"jsonrpc":"2.0","id":2'));
      if (line) {
        answer = JSON.parse(line);
        break;
      }
    }
    const ms = performance.now() - t0;
    if (!answer) throw new Error(`${cmd.join(" ")}: no tools/list answer`);
    await Bun.sleep(1000);
    const rss = rssKb(proc.pid);
    if (rss === undefined) throw new Error(`${cmd.join(" ")}: exited before its RSS was read`);
    proc.stdin.end();
    await proc.exited;
    return { ms, tools: answer.result?.tools?.length ?? 0, rss };
  } finally {
    clearTimeout(killer);
    if (proc.exitCode === null) proc.kill("SIGKILL");
  }
}

async function measure(label: string, cmd: string[]): Promise<void> {
  // Cold cache: placeholders only, nothing started; this is the idle-RSS case.
  rmSync(cacheHome, { recursive: true, force: true });
  rmSync(pids, { recursive: true, force: true });
  mkdirSync(pids);
  const idle: Run[] = [];
  for (let i = 0; i < 5; i++) idle.push(await once(cmd));
  // Warm cache, filled by `list --refresh` (which starts and stops each server once).
  const refresh = Bun.spawnSync([...cmd, "list", "--refresh", "--config", config], { env });
  if (refresh.exitCode !== 0) throw new Error(`${label}: list --refresh failed`);
  const warm: Run[] = [];
  for (let i = 0; i < 10; i++) warm.push(await once(cmd));
  // Every start should be list --refresh's: the measured gateways start nothing.
  const started = readdirSync(pids).length;
  console.log(
    `${label}: idle RSS median ${(median(idle.map((r) => r.rss)) / 1024).toFixed(1)} MB ` +
      `(runs: ${idle.map((r) => r.rss).join(", ")} kB; ${idle[0]?.tools} tools listed); ` +
      `spawn → first tools/list (warm cache, ${warm[0]?.tools} tools) median ` +
      `${median(warm.map((r) => r.ms)).toFixed(0)} ms ` +
      `(runs: ${warm.map((r) => r.ms.toFixed(0)).join(", ")}); warm-run idle RSS median ` +
      `${(median(warm.map((r) => r.rss)) / 1024).toFixed(1)} MB; backend starts: ${started} ` +
      `(${SERVERS} expected, by list --refresh)`,
  );
}

try {
  await measure("bun src/main.ts", [BUN, join(ROOT, "src/main.ts")]);
  if (existsSync(BINARY)) await measure("dist/mcp-gateway", [BINARY]);
  else console.log("dist/mcp-gateway: not built (bun scripts/build.ts)");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
