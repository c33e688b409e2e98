/**
 * install.sh against a local stand-in for the release download URL, run by `sh` with a PATH of
 * symlinks to the few commands it may use: no node, no bun.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "bun";
import { type TempDir, tempDir } from "../helpers/tmp.ts";
import {
  hostRelease,
  type Release,
  ROOT,
  run,
  SLOW,
  toolbox,
  VERSION,
  writeScript,
} from "./helpers.ts";

const BASICS = ["sh", "uname", "mktemp", "mkdir", "rm", "cp", "chmod", "mv", "tar", "gzip"];

let release: Release;
let tmp: TempDir;
let server: Server<undefined>;
let base = "";
const requests: string[] = [];

beforeAll(async () => {
  release = await hostRelease();
  tmp = tempDir("mcp-gateway-install-");
  const files = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const name of readdirSync(release.releaseDir)) {
    const bytes = readFileSync(join(release.releaseDir, name));
    files.set(`/good/${name}`, bytes);
    files.set(`/missing/${name}`, bytes);
    files.set(`/tampered/${name}`, bytes);
  }
  const asset = release.target.asset;
  const tampered = Uint8Array.from(readFileSync(release.asset));
  const middle = Math.floor(tampered.length / 2);
  tampered[middle] = (tampered[middle] ?? 0) ^ 0xff;
  files.set(`/tampered/${asset}`, tampered);
  files.delete(`/missing/${asset}`);
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      requests.push(path);
      const body = files.get(path);
      return body ? new Response(body) : new Response("not found", { status: 404 });
    },
  });
  base = `http://127.0.0.1:${server.port}`;
}, 300_000);

afterAll(() => {
  server?.stop(true);
  tmp?.cleanup();
});

/** `sh install.sh` with only `tools` on PATH and only `vars` in the environment. */
async function install(
  tools: string[],
  vars: Record<string, string>,
  extra?: (dir: string) => void,
) {
  const box = toolbox(tmp.path, tools);
  extra?.(box.dir);
  const home = join(tmp.path, `home-${Math.random().toString(36).slice(2, 8)}`);
  const env = { ...vars, PATH: box.dir, HOME: home };
  const ran = await run(["sh", join(ROOT, "install.sh")], { env, cwd: tmp.path });
  return { ...ran, home, env, box: box.dir };
}

describe("install.sh", () => {
  test(
    "installs from the release assets with curl, into ~/.local/bin, and the binary runs",
    async () => {
      const r = await install([...BASICS, "curl", "sha256sum"], {
        MCP_GATEWAY_DOWNLOAD_URL: `${base}/good/`,
      });
      expect(r.stderr).toContain("installed mcp-gateway");
      expect(r.code).toBe(0);
      expect(Bun.which("node", { PATH: r.box })).toBeNull();
      expect(Bun.which("bun", { PATH: r.box })).toBeNull();

      const binary = join(r.home, ".local/bin/mcp-gateway");
      const version = await run([binary, "--version"], { env: r.env });
      expect(version.stdout.trim()).toBe(VERSION);

      const config = join(tmp.path, "one.yaml");
      writeFileSync(config, "servers:\n  notes:\n    command: /bin/true\n");
      const list = await run([binary, "list", "--config", config], {
        env: { ...r.env, XDG_CACHE_HOME: join(r.home, ".cache") },
      });
      expect(list.code).toBe(0);
      expect(list.stdout).toContain("notes");
      expect(list.stdout).toContain("_notes_connect");
    },
    SLOW,
  );

  test(
    "works with wget alone, into $MCP_GATEWAY_INSTALL, replacing an older file",
    async () => {
      const dir = join(tmp.path, "opt-bin");
      const r0 = await install([...BASICS, "wget", "sha256sum"], {
        MCP_GATEWAY_DOWNLOAD_URL: `${base}/good`,
        MCP_GATEWAY_INSTALL: dir,
      });
      expect(r0.code).toBe(0);
      const again = await install([...BASICS, "wget", "sha256sum"], {
        MCP_GATEWAY_DOWNLOAD_URL: `${base}/good`,
        MCP_GATEWAY_INSTALL: dir,
      });
      expect(again.stderr).toContain(`installed mcp-gateway ${VERSION} to ${dir}/mcp-gateway`);
      expect(again.code).toBe(0);
      expect((await run([join(dir, "mcp-gateway"), "--version"])).stdout.trim()).toBe(VERSION);
    },
    SLOW,
  );

  test(
    "refuses an asset whose SHA-256 does not match SHA256SUMS",
    async () => {
      const dir = join(tmp.path, "tampered-bin");
      const r = await install([...BASICS, "curl", "sha256sum"], {
        MCP_GATEWAY_DOWNLOAD_URL: `${base}/tampered`,
        MCP_GATEWAY_INSTALL: dir,
      });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`checksum mismatch for ${release.target.asset}`);
      expect(existsSync(join(dir, "mcp-gateway"))).toBe(false);
    },
    SLOW,
  );

  test(
    "fails clearly when a download fails",
    async () => {
      const r = await install([...BASICS, "curl", "sha256sum"], {
        MCP_GATEWAY_DOWNLOAD_URL: `${base}/missing`,
        MCP_GATEWAY_INSTALL: join(tmp.path, "missing-bin"),
      });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`download failed: ${base}/missing/${release.target.asset}`);
    },
    SLOW,
  );

  test.each([
    ["FreeBSD", "x86_64", "unsupported operating system: FreeBSD"],
    ["Linux", "riscv64", "unsupported CPU architecture: riscv64"],
  ])(
    "refuses an unknown platform (%s %s) before downloading",
    async (os, machine, message) => {
      const before = requests.length;
      const r = await install(
        BASICS.filter((t) => t !== "uname").concat("curl", "sha256sum"),
        { MCP_GATEWAY_DOWNLOAD_URL: `${base}/good` },
        (dir) =>
          writeScript(dir, "uname", `case "$1" in -s) echo ${os} ;; -m) echo ${machine} ;; esac`),
      );
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(message);
      expect(requests.length).toBe(before);
    },
    SLOW,
  );

  test(
    "asks the project's GitHub release URL by default, and the tag of MCP_GATEWAY_VERSION",
    async () => {
      // A curl that records what it was asked for and fails, as with no network.
      const asked = join(tmp.path, "asked.txt");
      const fakeCurl = (dir: string) =>
        writeScript(dir, "curl", `for a; do last="$a"; done\necho "$last" >> ${asked}\nexit 22`);
      const latest = await install([...BASICS, "sha256sum"], {}, fakeCurl);
      const pinned = await install(
        [...BASICS, "sha256sum"],
        { MCP_GATEWAY_VERSION: "1.2.3" },
        fakeCurl,
      );
      expect(latest.code).not.toBe(0);
      expect(pinned.code).not.toBe(0);
      expect(readFileSync(asked, "utf8").trim().split("\n")).toEqual([
        "https://github.com/mcp-unify/mcp-gateway/releases/latest/download/SHA256SUMS",
        "https://github.com/mcp-unify/mcp-gateway/releases/download/v1.2.3/SHA256SUMS",
      ]);
      expect(pinned.stderr).toContain("download failed");
    },
    SLOW,
  );
});
