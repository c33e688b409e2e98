/**
 * Smoke test of the compiled binary as a user gets it: dist/mcp-gateway and gateway.yaml copied
 * into an empty folder (no node_modules, no bun on PATH), then --version, list and one stdio
 * initialize round trip. Run `bun scripts/build.ts` first.
 *
 *   bun scripts/smoke.ts
 */
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import type { Subprocess } from "bun";
import pkg from "../package.json" with { type: "json" };

const ROOT = resolve(import.meta.dir, "..");
const EXE = process.platform === "win32" ? "mcp-gateway.exe" : "mcp-gateway";
const STEP_TIMEOUT_MS = 10_000;
const started = new Set<Subprocess>();

class SmokeFailure extends Error {}
const fail = (message: string): never => {
  throw new SmokeFailure(message);
};

/** Rejects after `ms`, so no wait in this script is unbounded. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SmokeFailure(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A child environment without the repo's tools, so the binary cannot lean on them. */
function cleanEnv(dir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  delete env.MCP_GATEWAY_CONFIG;
  delete env.MCP_GATEWAY_ROLE;
  env.PATH = (env.PATH ?? "")
    .split(delimiter)
    .filter((p) => p && !p.includes("node_modules"))
    .join(delimiter);
  env.XDG_CACHE_HOME = join(dir, ".cache"); // a cold schema cache: servers show as placeholders
  return env;
}

async function run(
  dir: string,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  const proc = Bun.spawn([join(dir, EXE), ...args], {
    cwd: dir,
    env: cleanEnv(dir),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  started.add(proc);
  const [out, err, code] = await within(
    STEP_TIMEOUT_MS,
    `mcp-gateway ${args.join(" ")}`,
    Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]),
  );
  started.delete(proc);
  return { code, out, err };
}

async function checkVersion(dir: string): Promise<void> {
  const { code, out, err } = await run(dir, ["--version"]);
  if (code !== 0 || !out.includes(pkg.version))
    fail(`--version exited ${code}, printed "${out.trim()}" (expected ${pkg.version})\n${err}`);
  console.log(`ok  --version prints ${out.trim()}`);
}

async function checkList(dir: string): Promise<void> {
  const { code, out, err } = await run(dir, ["list", "--config", "gateway.yaml"]);
  if (code !== 0) fail(`list --config gateway.yaml exited ${code}\n${out}${err}`);
  if (!out.includes("filesystem")) fail(`list output does not name the filesystem server:\n${out}`);
  console.log("ok  list --config gateway.yaml names the filesystem server");
}

/**
 * Drains stdout for the whole life of the process (so the gateway never writes into a closed
 * pipe) and resolves with the protocolVersion of the answer to request id 1.
 */
function answerToInitialize(stdout: ReadableStream<Uint8Array>): Promise<string> {
  return new Promise((resolve, reject) => {
    const decoder = new TextDecoder();
    let buffered = "";
    const onLine = (line: string) => {
      let msg: { id?: unknown; result?: { protocolVersion?: unknown } };
      try {
        msg = JSON.parse(line);
      } catch {
        return reject(new SmokeFailure(`stdout carried a line that is not JSON-RPC: ${line}`));
      }
      if (msg.id !== 1) return;
      const version = msg.result?.protocolVersion;
      if (typeof version === "string") resolve(version);
      else reject(new SmokeFailure(`initialize answered ${line}`));
    };
    (async () => {
      for await (const chunk of stdout) {
        buffered += decoder.decode(chunk, { stream: true });
        for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line) onLine(line);
        }
      }
      reject(new SmokeFailure("stdout closed before the initialize answer"));
    })().catch(reject);
  });
}

async function checkStdio(dir: string): Promise<void> {
  const proc = Bun.spawn([join(dir, EXE), "stdio", "--config", "gateway.yaml"], {
    cwd: dir,
    env: cleanEnv(dir),
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  started.add(proc);
  const stderr = new Response(proc.stderr).text();
  const send = async (msg: object) => {
    proc.stdin.write(`${JSON.stringify(msg)}\n`);
    await proc.stdin.flush();
  };
  const answer = answerToInitialize(proc.stdout);
  await send({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "mcp-gateway-smoke", version: pkg.version },
    },
  });
  let version: string;
  try {
    version = await within(STEP_TIMEOUT_MS, "stdio initialize", answer);
  } catch (e) {
    proc.kill("SIGKILL");
    const err = await within(2000, "stderr", stderr).catch(() => "");
    throw new SmokeFailure(`${e instanceof Error ? e.message : String(e)}\nstderr:\n${err}`);
  }
  console.log(`ok  stdio initialize answered protocolVersion ${version}`);

  await send({ jsonrpc: "2.0", method: "notifications/initialized" });
  await proc.stdin.end();
  const code = await within(STEP_TIMEOUT_MS, "exit after stdin closed", proc.exited);
  started.delete(proc);
  if (code !== 0) fail(`stdio exited ${code} after stdin closed\n${await stderr}`);
  console.log("ok  stdio exits 0 when stdin closes");
}

async function startupMedian(dir: string, runs = 7): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const { code } = await run(dir, ["--version"]);
    times.push(performance.now() - t0);
    if (code !== 0) fail(`--version exited ${code} on timing run ${i + 1}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const binary = join(ROOT, "dist", EXE);
  if (!existsSync(binary)) fail(`${binary} is missing; run \`bun scripts/build.ts\` first`);
  const dir = await mkdtemp(join(tmpdir(), "mcp-gateway-smoke-"));
  try {
    await cp(binary, join(dir, EXE));
    await cp(join(ROOT, "gateway.yaml"), join(dir, "gateway.yaml"));
    const yaml = await readFile(join(ROOT, "gateway.yaml"), "utf8");
    if (yaml.includes("./examples/"))
      await cp(join(ROOT, "examples"), join(dir, "examples"), { recursive: true });
    console.log(`smoke: ${dir}`);

    await checkVersion(dir);
    await checkList(dir);
    await checkStdio(dir);
    const median = await startupMedian(dir);
    console.log(`startup: median of 7 runs of --version: ${median.toFixed(0)} ms`);
  } finally {
    for (const proc of started) {
      if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid, "SIGKILL");
    }
    await rm(dir, { recursive: true, force: true });
  }
}

try {
  await main();
  console.log("smoke: all checks passed");
} catch (e) {
  console.error(
    `smoke: FAILED: ${e instanceof SmokeFailure || e instanceof Error ? e.message : String(e)}`,
  );
  process.exit(1);
}
