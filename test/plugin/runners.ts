// The two ways a user runs the gateway with plugins: `bun src/main.ts` and the compiled binary.
// The binary is dist/mcp-gateway when it is newer than every source file; otherwise (missing, or
// built before the sources changed) a fresh one is compiled into a temp folder, never into dist/
// (other tests may be running that file), and the test says so on stderr.
// PLUGIN_TEST_FRESH_BUILD=1 always builds fresh.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, MAIN, ROOT } from "../helpers/paths.ts";

const DIST = join(ROOT, "dist", process.platform === "win32" ? "mcp-gateway.exe" : "mcp-gateway");

export interface Runner {
  label: string;
  /** The command line up to the subcommand. */
  argv: string[];
}

export const sourceRunner: Runner = { label: "bun src/main.ts", argv: [BUN, MAIN] };

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const t = entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, t);
  }
  return newest;
}

async function compile(outfile: string, bytecode: boolean): Promise<string> {
  const proc = Bun.spawn(
    [
      BUN,
      "build",
      "src/main.ts",
      "--compile",
      `--outfile=${outfile}`,
      "--no-compile-autoload-dotenv",
      "--no-compile-autoload-bunfig",
      // Without it the binary ignores package.json at run time: a plugin package's main/exports
      // (and its dependencies') would not resolve. scripts/build.ts must pass it too.
      "--compile-autoload-package-json",
      "--minify",
      "--sourcemap=none",
      ...(bytecode ? ["--bytecode", "--format=esm"] : []),
    ],
    { cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" },
  );
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return code === 0 ? "" : `${out}${err}`;
}

let built: Promise<Runner> | undefined;
let scratch: string | undefined;

/** Removes a binary this file built (call from afterAll). */
export function removeBuiltBinary(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
  built = undefined;
}

/** The compiled host binary, built at most once per test file. */
export function binaryRunner(): Promise<Runner> {
  built ??= (async () => {
    const sources = Math.max(
      newestSource(join(ROOT, "src")),
      statSync(join(ROOT, "package.json")).mtimeMs,
    );
    const fresh = process.env.PLUGIN_TEST_FRESH_BUILD === "1";
    if (!fresh && existsSync(DIST) && statSync(DIST).mtimeMs >= sources)
      return { label: "compiled binary (dist)", argv: [DIST] };
    const dir = mkdtempSync(join(tmpdir(), "mcp-gateway-bin-"));
    scratch = dir;
    const file = join(dir, "mcp-gateway");
    const why = fresh
      ? "is not wanted (PLUGIN_TEST_FRESH_BUILD=1)"
      : existsSync(DIST)
        ? "is older than src/"
        : "is missing";
    console.warn(`dist/mcp-gateway ${why}: testing a fresh build at ${file}`);
    // scripts/build.ts builds with --bytecode when it can, else without: the same here.
    const failed = (await compile(file, true)) && (await compile(file, false));
    if (failed) throw new Error(`bun build --compile failed:\n${failed}`);
    return { label: "compiled binary (fresh build)", argv: [file] };
  })();
  return built;
}
