/**
 * The linux-x64-musl binary (for Alpine). It is checked for asking musl's loader; where that
 * loader is installed (Debian: `apt-get install musl`) it is run under it.
 *
 * Debian's `musl` package has the C library only. Bun's musl build also needs libstdc++.so.6
 * (and libgcc_s) built against musl, which Debian does not package (Alpine: `apk add libstdc++`);
 * without it the binary cannot start here, and the test checks that nothing else is missing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type TempDir, tempDir } from "../helpers/tmp.ts";
import { ROOT, run, SLOW, VERSION } from "./helpers.ts";

const LOADER = "/lib/ld-musl-x86_64.so.1";
const x64Linux = process.platform === "linux" && process.arch === "x64";
const hasLoader = x64Linux && existsSync(LOADER);

/** musl's search path: /etc/ld-musl-x86_64.path, else its built-in default. */
function muslLibDirs(): string[] {
  try {
    return readFileSync("/etc/ld-musl-x86_64.path", "utf8").split(/[\n:]/).filter(Boolean);
  } catch {
    return ["/lib", "/usr/local/lib", "/usr/lib"];
  }
}
const hasMuslCxx = hasLoader && muslLibDirs().some((d) => existsSync(join(d, "libstdc++.so.6")));

if (!x64Linux) console.warn("musl: skipped, the musl binary is built for linux-x64 only");
else if (!hasLoader) {
  console.warn(`musl: not run, no musl loader at ${LOADER} (Debian: apt-get install musl)`);
} else if (!hasMuslCxx) {
  console.warn(
    `musl: ${LOADER} is here but no libstdc++.so.6 for musl in ${muslLibDirs().join(":")}; ` +
      "checking that the C++ runtime is all the binary lacks",
  );
}

/** The PT_INTERP of an ELF64 little-endian executable. */
function interpreter(file: string): string | undefined {
  const head = readFileSync(file).subarray(0, 1 << 16);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const phoff = Number(view.getBigUint64(0x20, true));
  const size = view.getUint16(0x36, true);
  for (let i = 0; i < view.getUint16(0x38, true); i++) {
    const at = phoff + i * size;
    if (view.getUint32(at, true) !== 3) continue;
    const offset = Number(view.getBigUint64(at + 8, true));
    const length = Number(view.getBigUint64(at + 32, true));
    return new TextDecoder().decode(head.subarray(offset, offset + length)).replace(/\0+$/, "");
  }
  return undefined;
}

let tmp: TempDir;
let binary = "";

beforeAll(async () => {
  if (!x64Linux) return;
  tmp = tempDir("mcp-gateway-musl-");
  binary = join(tmp.path, "mcp-gateway-linux-x64-musl");
  // Compiled here rather than by scripts/build.ts: with Debian's musl installed, build.ts takes
  // this host for a musl one and insists that the musl build runs.
  const built = await run(
    [
      process.execPath,
      "build",
      "src/main.ts",
      "--compile",
      "--target=bun-linux-x64-musl",
      `--outfile=${binary}`,
      "--no-compile-autoload-dotenv",
      "--no-compile-autoload-bunfig",
      "--minify",
    ],
    { cwd: ROOT, timeout: 180_000 },
  );
  if (built.code !== 0) throw new Error(`bun build failed:\n${built.stdout}\n${built.stderr}`);
}, 300_000);

afterAll(() => tmp?.cleanup());

describe.skipIf(!x64Linux)("linux-x64-musl binary", () => {
  test(
    "asks for musl's loader",
    () => {
      expect(interpreter(binary)).toBe(LOADER);
    },
    SLOW,
  );

  test.skipIf(!hasMuslCxx)(
    "runs --version under the musl loader",
    async () => {
      const r = await run([binary, "--version"]);
      expect(r.stdout.trim()).toBe(VERSION);
      expect(r.code).toBe(0);
    },
    SLOW,
  );

  test.skipIf(!hasLoader || hasMuslCxx)(
    "under Debian's musl, only the C++ runtime (libstdc++ for musl) is missing",
    async () => {
      const r = await run([binary, "--version"]);
      expect(r.code).not.toBe(0);
      const missing = [...r.stderr.matchAll(/Error loading shared library (\S+?):/g)].map(
        (m) => m[1],
      );
      expect(missing).toEqual(["libstdc++.so.6"]);
      // Every unresolved symbol is a C++ runtime one (mangled _Z…, __cxa_…, __once_…, __dynamic_cast).
      const symbols = [
        ...r.stderr.matchAll(/Error relocating [^:]+: (\S+): symbol not found/g),
      ].map((m) => m[1] ?? "");
      expect(symbols.filter((s) => !/^(_Z|__cxa_|__once_|__dynamic_cast|__gxx_)/.test(s))).toEqual(
        [],
      );
    },
    SLOW,
  );
});
