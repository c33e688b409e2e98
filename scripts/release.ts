/**
 * Builds a release from one machine: the binaries (through scripts/build.ts), the release assets
 * with their SHA256SUMS, and the npm packages.
 *
 *   bun scripts/release.ts                         # all six targets
 *   bun scripts/release.ts --targets host          # only this machine's (what the tests use)
 *   bun scripts/release.ts --targets linux-x64,windows-x64 --out /tmp/rel --skip-build
 *
 * Writes <out>/release/ (mcp-gateway-<os>-<arch>.tar.gz, .zip for Windows, install.sh,
 * SHA256SUMS) and <out>/npm/ (one `npm pack` tarball per package); <out> defaults to dist/.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { type Entry, sha256, tarGz, zip } from "./release/archive.ts";
import { pack, stageMain, stagePlatform } from "./release/npm.ts";
import { pickTargets, type Target } from "./release/targets.ts";

const ROOT = resolve(import.meta.dir, "..");
const DIST = join(ROOT, "dist");

interface Options {
  targets: Target[];
  out: string;
  build: boolean;
}

function parseArgs(argv: string[]): Options {
  let spec = "all";
  let out = DIST;
  let build = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const [flag, inline] = arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value`);
    if (flag === "--targets") spec = value();
    else if (flag === "--out") out = resolve(value());
    else if (flag === "--skip-build") build = false;
    else
      fail(
        `unknown argument "${arg}"; usage: bun scripts/release.ts [--targets all|host|ID,…] [--out DIR] [--skip-build]`,
      );
  }
  try {
    return { targets: pickTargets(spec), out, build };
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
}

function fail(message: string): never {
  console.error(`release: ${message}`);
  process.exit(2);
}

async function buildBinaries(targets: Target[]): Promise<void> {
  const cmd = [
    process.execPath,
    "scripts/build.ts",
    ...targets.flatMap((t) => ["--target", t.bunTarget]),
  ];
  const proc = Bun.spawn(cmd, { cwd: ROOT, stdin: "ignore", stdout: "inherit", stderr: "inherit" });
  const code = await proc.exited;
  if (code !== 0) fail(`scripts/build.ts exited ${code}`);
}

async function packAsset(t: Target, binary: string, dir: string, mtime: number): Promise<string> {
  const entry: Entry = { name: t.exe, data: await readFile(binary), mode: 0o755 };
  const file = join(dir, t.asset);
  await writeFile(file, t.asset.endsWith(".zip") ? zip([entry]) : tarGz([entry], mtime));
  return file;
}

/** `sha256sum` format (hash, two spaces, name), so `sha256sum -c SHA256SUMS` checks the folder. */
async function writeChecksums(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((n) => n !== "SHA256SUMS").sort();
  const lines = await Promise.all(
    names.map(async (n) => `${sha256(await readFile(join(dir, n)))}  ${n}\n`),
  );
  await writeFile(join(dir, "SHA256SUMS"), lines.join(""));
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  const { targets, out, build } = parseArgs(Bun.argv.slice(2));
  if (build) await buildBinaries(targets);
  const binaries = new Map(targets.map((t) => [t, join(DIST, t.built)]));
  for (const [t, file] of binaries) {
    if (!existsSync(file)) fail(`${file} is missing for ${t.id}; run without --skip-build`);
  }

  const releaseDir = join(out, "release");
  const npmDir = join(out, "npm");
  const stage = join(out, "npm-stage");
  for (const d of [releaseDir, npmDir, stage]) await rm(d, { recursive: true, force: true });
  await mkdir(releaseDir, { recursive: true });

  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  const mtime = Number.isFinite(epoch) && epoch > 0 ? epoch : Math.floor(Date.now() / 1000);
  console.log(`\nrelease ${pkg.version}: ${targets.map((t) => t.id).join(", ")}`);
  for (const [t, binary] of binaries) {
    const asset = await packAsset(t, binary, releaseDir, mtime);
    const [b, a] = await Promise.all([stat(binary), stat(asset)]);
    console.log(`  ${t.asset.padEnd(36)} ${mb(a.size).padStart(9)}  (binary ${mb(b.size)})`);
  }
  await copyFile(join(ROOT, "install.sh"), join(releaseDir, "install.sh"));
  await writeChecksums(releaseDir);
  console.log(`  SHA256SUMS, install.sh -> ${releaseDir}`);

  for (const [t, binary] of binaries) {
    const file = await pack(await stagePlatform(pkg, t, binary, stage), npmDir);
    console.log(
      `  ${file.slice(out.length + 1).padEnd(36)} ${mb((await stat(file)).size).padStart(9)}`,
    );
  }
  const main = await pack(await stageMain(pkg, ROOT, stage), npmDir);
  console.log(
    `  ${main.slice(out.length + 1).padEnd(36)} ${mb((await stat(main)).size).padStart(9)}`,
  );
  await rm(stage, { recursive: true, force: true });
}

await main().catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
