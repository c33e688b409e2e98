// Shared by the distribution tests: one host-only release per test run, restricted PATHs made of
// symlinks (so "no node, no bun" is a fact of the environment, not a promise), bounded runs.
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { tarGz } from "../../scripts/release/archive.ts";
import { platformManifest } from "../../scripts/release/npm.ts";
import { hostTarget, MAIN_PACKAGE, type Target } from "../../scripts/release/targets.ts";

export const ROOT = resolve(import.meta.dir, "../..");
export const VERSION = pkg.version;
export const RUN_TIMEOUT_MS = 60_000;
/** Per-test bound for these tests (they start real processes on a slow 2-core box). */
export const SLOW = 120_000;

export interface Release {
  out: string;
  target: Target;
  releaseDir: string;
  asset: string;
  mainTgz: string;
  platformTgz: string;
}

let building: Promise<Release> | undefined;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * dist/test-release/<pid>: the release is 100+ MB, and bun test gives no hook after the last
 * file, so each run sweeps away the folders of runs that are gone and leaves at most its own.
 */
function releaseOut(): string {
  const base = join(ROOT, "dist", "test-release");
  mkdirSync(base, { recursive: true });
  for (const name of readdirSync(base)) {
    if (!/^\d+$/.test(name) || alive(Number(name))) continue;
    rmSync(join(base, name), { recursive: true, force: true });
  }
  const out = join(base, String(process.pid));
  rmSync(out, { recursive: true, force: true });
  return out;
}

/** `bun scripts/release.ts --targets host` into dist/test-release/<pid>, once per test process. */
export function hostRelease(): Promise<Release> {
  building ??= (async () => {
    const target = hostTarget();
    if (!target) throw new Error(`no release target for ${process.platform}-${process.arch}`);
    const out = releaseOut();
    const { code, stdout, stderr } = await run(
      [process.execPath, "scripts/release.ts", "--targets", "host", "--out", out],
      { cwd: ROOT, timeout: 240_000 },
    );
    if (code !== 0) throw new Error(`release.ts exited ${code}:\n${stdout}\n${stderr}`);
    return {
      out,
      target,
      releaseDir: join(out, "release"),
      asset: join(out, "release", target.asset),
      mainTgz: join(out, "npm", `${MAIN_PACKAGE}-${VERSION}.tgz`),
      platformTgz: join(out, "npm", `${target.npmName}-${VERSION}.tgz`),
    };
  })();
  return building;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  /** The whole environment (not merged with ours), so nothing leaks in by accident. */
  env?: Record<string, string>;
  timeout?: number;
  stdin?: string;
}

/** Runs to completion; SIGKILLed after `timeout` ms, which then fails with the output so far. */
export async function run(cmd: string[], opts: RunOptions = {}): Promise<Ran> {
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd,
    env: opts.env ?? (process.env as Record<string, string>),
    stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill("SIGKILL");
  }, opts.timeout ?? RUN_TIMEOUT_MS);
  try {
    const [stdout, stderr] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
    ]);
    await proc.exited;
    if (timedOut) throw new Error(`${cmd.join(" ")} timed out:\n${stdout}\n${stderr}`);
    return { code: proc.exitCode, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

export interface Toolbox {
  dir: string;
  /** Symlinks `name` (found on our PATH, or given as an absolute path) into the box. */
  add(name: string, from?: string): void;
}

/** A folder for PATH holding only the named commands; node and bun are refused outright. */
export function toolbox(parent: string, names: string[], allow: string[] = []): Toolbox {
  const dir = join(parent, `bin-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  const box: Toolbox = {
    dir,
    add(name, from) {
      if (/^(node|bun|bunx|nodejs)$/.test(name) && !allow.includes(name)) {
        throw new Error(`toolbox: ${name} must not be on this PATH`);
      }
      const target = from ?? Bun.which(name);
      if (!target) throw new Error(`toolbox: ${name} is not installed`);
      symlinkSync(target, join(dir, name));
    },
  };
  for (const n of names) box.add(n);
  return box;
}

/** An executable `#!/bin/sh` script in `dir`: a stand-in for a real command. */
export function writeScript(dir: string, name: string, body: string): void {
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

export const INITIALIZE = {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "dist-test", version: "1" },
};

/**
 * A tiny stand-in for another platform's package (real manifest, a script for a binary), so a
 * test can prove the package manager leaves it out rather than merely failing to find it.
 */
export function fakePlatformPackage(t: Target): Uint8Array<ArrayBuffer> {
  const manifest = platformManifest({ version: VERSION, license: "MIT" }, t);
  const enc = new TextEncoder();
  return tarGz(
    [
      { name: "package/package.json", data: enc.encode(JSON.stringify(manifest)), mode: 0o644 },
      {
        name: `package/bin/${t.exe}`,
        data: enc.encode(`#!/bin/sh\necho "wrong platform package ${t.id}" >&2\nexit 99\n`),
        mode: 0o755,
      },
    ],
    499162500,
  );
}

/** For helpers that merge with process.env: `env`, and every other variable of ours unset. */
export function only(env: Record<string, string>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of Object.keys(process.env)) out[key] = undefined;
  return { ...out, ...env };
}
