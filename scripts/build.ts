/**
 * Compiles src/main.ts into single-file executables and writes the config JSON Schema.
 *
 *   bun scripts/build.ts                      # the host only, also copied to dist/mcp-gateway
 *   bun scripts/build.ts --all                # all six targets (cross-compiled)
 *   bun scripts/build.ts --target bun-linux-arm64 --target bun-windows-x64
 *
 * Cross-compilation downloads the target's bun runtime from the npm registry on first use.
 */
import { copyFile, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { configJsonSchema } from "../src/config/schema.ts";
import { hostIsMusl } from "./release/targets.ts";

const TARGETS = [
  "bun-linux-x64",
  "bun-linux-arm64",
  "bun-linux-x64-musl",
  "bun-darwin-x64",
  "bun-darwin-arm64",
  "bun-windows-x64",
] as const;
type Target = (typeof TARGETS)[number];

const ROOT = resolve(import.meta.dir, "..");
const DIST = join(ROOT, "dist");
const isTarget = (t: string): t is Target => (TARGETS as readonly string[]).includes(t);

/** The target whose binary can run here; undefined on a platform we do not ship for. */
function hostTarget(): Target | undefined {
  const os = process.platform === "win32" ? "windows" : process.platform;
  // The glibc build does not start on a musl system (Alpine), so the host there is the musl one.
  const t = `bun-${os}-${process.arch}${hostIsMusl() ? "-musl" : ""}`;
  return isTarget(t) ? t : undefined;
}

const outName = (t: Target) =>
  `mcp-gateway-${t.slice("bun-".length)}${t.startsWith("bun-windows") ? ".exe" : ""}`;

function parseArgs(argv: string[]): Target[] {
  const picked: Target[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--all") picked.push(...TARGETS);
    else if (arg === "--target" || arg.startsWith("--target=")) {
      const value = arg === "--target" ? argv[++i] : arg.slice("--target=".length);
      if (!value || !isTarget(value))
        fail(`unknown target "${value ?? ""}"; one of: ${TARGETS.join(", ")}`);
      picked.push(value);
    } else fail(`unknown argument "${arg}"; usage: bun scripts/build.ts [--all | --target T ...]`);
  }
  if (picked.length > 0) return [...new Set(picked)];
  const host = hostTarget();
  if (!host) fail(`no target for this host (${process.platform}-${process.arch}); pass --target`);
  return [host];
}

function fail(message: string): never {
  console.error(`build: ${message}`);
  process.exit(2);
}

async function run(cmd: string[]): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn(cmd, { cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, out: `${out}${err}`.trim() };
}

async function compile(target: Target, outfile: string, bytecode: boolean) {
  return run([
    process.execPath,
    "build",
    "src/main.ts",
    "--compile",
    `--target=${target}`,
    `--outfile=${outfile}`,
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    // Plugins given as a package name (and packages a plugin imports) resolve through their
    // package.json; without this the binary ignores package.json files at run time.
    "--compile-autoload-package-json",
    "--minify",
    "--sourcemap=none",
    // Modules loaded with import() (the SDK's HTTP client and server, OAuth, the URI template
    // matcher) become chunks of their own, read only when first needed: a gateway that never
    // uses them does not carry them (idle RSS, BENCHMARKS.md).
    "--splitting",
    ...(bytecode ? ["--bytecode", "--format=esm"] : []),
  ]);
}

/** A host binary that builds but cannot print its version is as broken as one that fails to build. */
async function checkVersion(file: string): Promise<string | undefined> {
  const { code, out } = await run([file, "--version"]);
  if (code === 0 && out.includes(pkg.version)) return undefined;
  return `\`${file} --version\` exited ${code} and printed "${out.slice(0, 500)}", expected ${pkg.version}`;
}

interface Built {
  target: Target;
  file: string;
  bytecode: boolean;
  note?: string;
}

async function build(target: Target, host: boolean): Promise<Built> {
  const file = join(DIST, outName(target));
  const withBytecode = await compile(target, file, true);
  let problem = withBytecode.code === 0 ? undefined : withBytecode.out;
  if (!problem && host) problem = await checkVersion(file);
  if (!problem) return { target, file, bytecode: true };

  const plain = await compile(target, file, false);
  if (plain.code !== 0) throw new Error(`${target}: bun build failed:\n${plain.out}`);
  if (host) {
    const broken = await checkVersion(file);
    if (broken) throw new Error(`${target}: ${broken}`);
  }
  const reason = problem.split("\n").find((l) => l.trim()) ?? "unknown error";
  return { target, file, bytecode: false, note: `built without --bytecode (${reason.trim()})` };
}

const mb = async (file: string) => `${((await stat(file)).size / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  const targets = parseArgs(Bun.argv.slice(2));
  const host = hostTarget();
  await mkdir(DIST, { recursive: true });
  await mkdir(join(ROOT, "schema"), { recursive: true });
  const schemaFile = join(ROOT, "schema", "gateway.schema.json");
  await writeFile(schemaFile, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  console.log(`schema/gateway.schema.json written`);

  for (const target of targets) {
    const started = performance.now();
    const built = await build(target, target === host);
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    const how = built.bytecode ? "bytecode" : "no bytecode";
    console.log(
      `${built.file.slice(ROOT.length + 1)}  ${await mb(built.file)}  (${how}, ${secs}s)`,
    );
    if (built.note) console.log(`  note: ${built.note}`);
    if (target === host) {
      const alias = join(DIST, process.platform === "win32" ? "mcp-gateway.exe" : "mcp-gateway");
      await rm(alias, { force: true });
      await copyFile(built.file, alias);
      console.log(
        `${alias.slice(ROOT.length + 1)}  ${await mb(alias)}  (host copy, v${pkg.version})`,
      );
    }
  }
}

await main().catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
