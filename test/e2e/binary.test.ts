/**
 * The compiled binary as a user runs it: from an empty folder, with no node_modules next to it.
 * Uses dist/mcp-gateway when it exists (CI builds it first), else builds the host binary once.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { ROOT } from "../helpers/paths.ts";

const BINARY = join(ROOT, "dist", process.platform === "win32" ? "mcp-gateway.exe" : "mcp-gateway");
const RUN_TIMEOUT_MS = 30_000;

let emptyDir = "";

/** The caller's environment minus the gateway's own variables, so only the flags decide. */
function userEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("MCP_GATEWAY_")) env[k] = v;
  }
  return env;
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const proc = Bun.spawn([BINARY, ...args], {
    cwd: emptyDir,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: userEnv(),
  });
  const timer = setTimeout(() => process.kill(proc.pid, "SIGKILL"), RUN_TIMEOUT_MS);
  try {
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    return { code, out, err };
  } finally {
    clearTimeout(timer);
  }
}

beforeAll(async () => {
  if (!existsSync(BINARY)) {
    const build = Bun.spawn([process.execPath, "scripts/build.ts"], {
      cwd: ROOT,
      stdin: "ignore",
      stdout: "inherit",
      stderr: "inherit",
    });
    if ((await build.exited) !== 0) throw new Error("bun scripts/build.ts failed");
  }
  emptyDir = await mkdtemp(join(tmpdir(), "mcp-gateway-e2e-"));
}, 300_000);

afterAll(async () => {
  if (emptyDir) await rm(emptyDir, { recursive: true, force: true });
});

describe("compiled binary", () => {
  test("--version prints the package.json version", async () => {
    const { code, out } = await run(["--version"]);
    expect(code).toBe(0);
    expect(out.trim()).toContain(pkg.version);
  });

  test("--help exits 0 and prints usage", async () => {
    const { code, out, err } = await run(["--help"]);
    expect(code).toBe(0);
    expect(`${out}${err}`).toContain("mcp-gateway");
  });
});
