#!/usr/bin/env node
// The `mcp-gateway` / `mcp-unify` command of the npm package. It runs the prebuilt binary from
// the platform package npm or bun installed beside it (an optionalDependency chosen by its
// os/cpu/libc fields), so neither Node nor Bun is needed past this point. Without one, it runs
// the TypeScript sources with Bun. Plain JavaScript: it must start under Node 20 and Bun alike.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const PACKAGE = "mcp-unify";
const args = process.argv.slice(2);
const debug = Boolean(process.env.MCP_UNIFY_DEBUG);
const say = (message) => process.stderr.write(`${PACKAGE}: ${message}\n`);

function glibc() {
  try {
    return Boolean(process.report?.getReport?.().header?.glibcVersionRuntime);
  } catch {
    return false;
  }
}

/** This platform's id (`linux-x64`, `linux-x64-musl`, `darwin-arm64`, …). */
function platformId(musl = process.platform === "linux" && !glibc()) {
  const os = process.platform === "win32" ? "windows" : process.platform;
  return `${os}-${process.arch}${musl ? "-musl" : ""}`;
}

function binaryIn(id) {
  const require = createRequire(import.meta.url);
  let manifest;
  try {
    manifest = require.resolve(`${PACKAGE}-${id}/package.json`);
  } catch {
    return undefined;
  }
  const file = join(
    dirname(manifest),
    "bin",
    process.platform === "win32" ? "mcp-gateway.exe" : "mcp-gateway",
  );
  return existsSync(file) ? file : undefined;
}

function findBinary() {
  if (process.platform !== "linux") return binaryIn(platformId());
  // Usually npm/bun installed just one of the two (by `libc`); asking for the C library costs a
  // diagnostic report, so only when both are there.
  const gnu = binaryIn(platformId(false));
  const musl = binaryIn(platformId(true));
  if (gnu && musl) return glibc() ? gnu : musl;
  return gnu ?? musl;
}

function findOnPath(name) {
  const names = process.platform === "win32" ? [`${name}.exe`] : [name];
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const n of names) {
      const file = join(dir || ".", n);
      if (existsSync(file)) return file;
    }
  }
  return undefined;
}

/**
 * Runs `file` with our stdio and exits the way it did (code or signal). On Unix the child gets
 * its own session, so a signal sent to our whole process group (Ctrl-C, a supervisor) reaches it
 * once, through us, instead of twice: the gateway reads a second SIGINT/SIGTERM as "stop waiting".
 */
function run(file, argv) {
  const windows = process.platform === "win32";
  const child = spawn(file, argv, { stdio: "inherit", detached: !windows });
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const signals = windows ? ["SIGTERM", "SIGHUP", "SIGBREAK"] : ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) process.on(s, forward);
  // On Windows the console delivers Ctrl-C to the child itself; we only wait for it.
  if (windows) process.on("SIGINT", () => {});
  child.on("error", (e) => {
    say(`cannot run ${file}: ${e.message}`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    for (const s of signals) process.off(s, forward);
    if (signal) {
      process.kill(process.pid, signal);
      // Only reached when the signal does not end this process (e.g. it is ignored here).
      process.exitCode = 128 + (constants.signals[signal] ?? 0);
      return;
    }
    process.exit(code ?? 1);
  });
}

const binary = findBinary();
const source = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const platform = binary ? "" : platformId();

if (binary) {
  if (debug) say(`running ${binary}`);
  run(binary, args);
} else if (process.versions.bun && existsSync(source)) {
  if (debug) say(`no ${PACKAGE}-${platform} package; running the sources with this Bun`);
  await import(pathToFileURL(source).href);
} else {
  const bun = existsSync(source) ? findOnPath("bun") : undefined;
  if (bun) {
    if (debug) say(`no ${PACKAGE}-${platform} package; running the sources with ${bun}`);
    // Not the user's .env: the compiled binary ignores it too.
    run(bun, ["--no-env-file", source, ...args]);
  } else {
    say(
      [
        `no prebuilt binary for ${process.platform}-${process.arch} (package ${PACKAGE}-${platform} is not installed), and Bun was not found on PATH to run the sources.`,
        `  - if ${PACKAGE}-${platform} exists, reinstall without --omit=optional / --no-optional`,
        "  - or install Bun (https://bun.sh) and run `bunx mcp-unify`",
        "  - or download a release binary: see https://www.npmjs.com/package/mcp-unify#install",
      ].join("\n"),
    );
    process.exit(1);
  }
}
