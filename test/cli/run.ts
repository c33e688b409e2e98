/** Run `bun src/main.ts ...` as a user would, in a temp folder, with a bounded wait. */
import { resolve } from "node:path";
import { MAIN, ROOT } from "../helpers/paths.ts";

/** The repo's pinned bun (node_modules/.bin/bun), not necessarily the one running the tests. */
const BUN = resolve(ROOT, "node_modules/.bin/bun");

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function runCli(
  args: string[],
  opts: { cwd: string; env?: Record<string, string>; stdin?: string; timeoutMs?: number },
): Promise<RunResult> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
  for (const k of Object.keys(env)) if (k.startsWith("MCP_GATEWAY_")) delete env[k];
  const proc = Bun.spawn([BUN, MAIN, ...args], {
    cwd: opts.cwd,
    env: {
      ...env,
      XDG_CACHE_HOME: resolve(opts.cwd, ".cache"),
      XDG_RUNTIME_DIR: resolve(opts.cwd, ".run"),
      ...opts.env,
    },
    stdin: opts.stdin === undefined ? "ignore" : new Blob([opts.stdin]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs ?? 20_000);
  try {
    const [stdout, stderr, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
    proc.kill("SIGKILL");
  }
}
