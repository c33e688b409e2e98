/**
 * `bunx mcp-unify` against a local registry stand-in (BUN_CONFIG_REGISTRY), with a PATH holding
 * bun and nothing else (no node), a fresh HOME and a fresh bun install cache.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { TARGETS } from "../../scripts/release/targets.ts";
import { spawnRpc } from "../helpers/rpc.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";
import {
  fakePlatformPackage,
  hostRelease,
  INITIALIZE,
  only,
  type Release,
  ROOT,
  run,
  SLOW,
  toolbox,
  VERSION,
} from "./helpers.ts";
import { type Registry, startRegistry } from "./registry.ts";

let release: Release;
let registry: Registry;
let tmp: TempDir;
let cwd = "";
let env: Record<string, string> = {};

const others = () => TARGETS.filter((t) => t.id !== release.target.id).slice(0, 2);

beforeAll(async () => {
  release = await hostRelease();
  registry = startRegistry({
    tarballs: [release.mainTgz, release.platformTgz, ...others().map(fakePlatformPackage)],
    nodeModules: join(ROOT, "node_modules"),
  });
  tmp = tempDir("mcp-gateway-bunx-");
  const box = toolbox(tmp.path, [], ["bun", "bunx"]);
  box.add("bun", process.execPath);
  box.add("bunx", process.execPath);
  cwd = join(tmp.path, "work");
  await Bun.write(join(cwd, ".keep"), "");
  env = {
    PATH: box.dir,
    HOME: join(tmp.path, "home"),
    TMPDIR: join(tmp.path, "tmp"),
    BUN_INSTALL_CACHE_DIR: join(tmp.path, "bun-cache"),
    BUN_CONFIG_REGISTRY: registry.url,
    XDG_CACHE_HOME: join(tmp.path, "cache"),
    MCP_UNIFY_DEBUG: "1",
  };
  await Bun.write(join(env.TMPDIR ?? "", ".keep"), "");
}, 300_000);

afterAll(() => {
  registry?.stop();
  tmp?.cleanup();
});

/** Every mcp-unify* package bunx installed, wherever in its cache it put them. */
function installedPackages(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string, depth: number) => {
    if (depth > 6) return;
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      if (entry.name.startsWith("mcp-unify") && d.endsWith("node_modules")) found.push(entry.name);
      else walk(join(d, entry.name), depth + 1);
    }
  };
  walk(dir, 0);
  return [...new Set(found)].sort();
}

describe("bunx mcp-unify", () => {
  test(
    "bunx mcp-unify stdio answers initialize, through the platform binary",
    async () => {
      expect(Bun.which("node", { PATH: env.PATH })).toBeNull();
      const gw = spawnRpc(join(env.PATH ?? "", "bunx"), ["mcp-unify", "stdio"], {
        cwd,
        env: only(env),
        timeout: 120_000,
      });
      try {
        const answer = await gw.request("initialize", INITIALIZE);
        expect(answer.result?.serverInfo).toMatchObject({ name: "mcp-gateway", version: VERSION });
        gw.close();
        expect(await gw.exited).toBe(0);
        expect(gw.stderrText()).toContain(`${release.target.npmName}/bin/${release.target.exe}`);
      } finally {
        gw.kill("SIGKILL");
      }
      expect(installedPackages(join(tmp.path, "bun-cache"))).toEqual(
        ["mcp-unify", release.target.npmName].sort(),
      );
      for (const t of others()) expect(registry.asked).toContain(t.npmName);
    },
    SLOW,
  );

  test(
    "bunx --package mcp-unify mcp-gateway --version",
    async () => {
      const r = await run(["bunx", "--package", "mcp-unify", "mcp-gateway", "--version"], {
        cwd,
        env,
      });
      expect(r.stdout.trim()).toBe(VERSION);
      expect(r.code).toBe(0);
    },
    SLOW,
  );
});
