/**
 * The npm packages as a user gets them: `npm install mcp-unify` from a local registry stand-in
 * serving the packed tarballs, in a project whose PATH has node and npm but no bun, then
 * `npx mcp-unify` and `mcp-gateway stdio`. The launcher's fallback and its exit/signal
 * propagation are checked on the same install.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { TARGETS } from "../../scripts/release/targets.ts";
import { descendants, isAlive, killTree, waitFor } from "../helpers/proc.ts";
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
  writeScript,
} from "./helpers.ts";
import { type Registry, startRegistry } from "./registry.ts";

let release: Release;
let registry: Registry;
let tmp: TempDir;
let project = "";
let env: Record<string, string> = {};

/** Platform packages that exist in this registry but must not be installed here. */
const others = () => TARGETS.filter((t) => t.id !== release.target.id).slice(0, 2);

beforeAll(async () => {
  release = await hostRelease();
  registry = startRegistry({
    tarballs: [release.mainTgz, release.platformTgz, ...others().map(fakePlatformPackage)],
    nodeModules: join(ROOT, "node_modules"),
  });
  tmp = tempDir("mcp-gateway-npm-");
  project = join(tmp.path, "project");
  const box = toolbox(tmp.path, ["node", "npm", "npx", "sh"], ["node"]);
  env = {
    PATH: box.dir,
    HOME: join(tmp.path, "home"),
    NPM_CONFIG_REGISTRY: registry.url,
    NPM_CONFIG_CACHE: join(tmp.path, "npm-cache"),
    NPM_CONFIG_UPDATE_NOTIFIER: "false",
    NPM_CONFIG_AUDIT: "false",
    NPM_CONFIG_FUND: "false",
    XDG_CACHE_HOME: join(tmp.path, "cache"),
  };
  await Bun.write(join(project, "package.json"), '{ "name": "user-project", "private": true }\n');
  const installed = await run(["npm", "install", `mcp-unify@${VERSION}`], {
    cwd: project,
    env,
    timeout: 180_000,
  });
  if (installed.code !== 0) throw new Error(`npm install failed:\n${installed.stderr}`);
}, 300_000);

afterAll(() => {
  registry?.stop();
  tmp?.cleanup();
});

const bin = (name: string) => join(project, "node_modules/.bin", name);

describe("npm package mcp-unify", () => {
  test(
    "installs the main package and only this platform's package, with no bun on PATH",
    () => {
      expect(Bun.which("bun", { PATH: env.PATH })).toBeNull();
      const modules = readdirSync(join(project, "node_modules")).filter((n) =>
        n.startsWith("mcp-unify"),
      );
      expect(modules.sort()).toEqual(["mcp-unify", release.target.npmName].sort());
      // The others were offered by the registry and left out for their os/cpu/libc.
      for (const t of others()) expect(registry.asked).toContain(t.npmName);
    },
    SLOW,
  );

  test(
    "npx mcp-unify --version runs the platform binary",
    async () => {
      const r = await run(["npx", "--offline", "mcp-unify", "--version"], {
        cwd: project,
        env: { ...env, MCP_UNIFY_DEBUG: "1" },
      });
      expect(r.stdout.trim()).toBe(VERSION);
      expect(r.stderr).toContain(
        `node_modules/${release.target.npmName}/bin/${release.target.exe}`,
      );
      expect(r.code).toBe(0);
    },
    SLOW,
  );

  test(
    "mcp-gateway stdio answers initialize",
    async () => {
      const gw = spawnRpc(bin("mcp-gateway"), ["stdio"], { cwd: project, env: only(env) });
      try {
        const answer = await gw.request("initialize", INITIALIZE);
        expect(answer.result?.serverInfo).toMatchObject({ name: "mcp-gateway", version: VERSION });
        gw.close();
        expect(await gw.exited).toBe(0);
      } finally {
        gw.kill("SIGKILL");
      }
    },
    SLOW,
  );

  test(
    "the launcher passes the binary's exit status through",
    async () => {
      const r = await run([bin("mcp-gateway"), "list", "--config", "no-such.yaml"], {
        cwd: project,
        env,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("no-such.yaml");
    },
    SLOW,
  );

  // The gateway's own signal handling is tested elsewhere; here a stand-in binary counts what
  // reaches it, to prove the launcher delivers each signal exactly once and passes the end on.
  const STAND_IN = `
${Bun.which("sleep")} 600 & pid=$!
on() {
  echo "$1" >> "$MARK"
  kill "$pid"
  if [ "$MODE" = die ]; then trap - "$1"; kill -s "$1" $$; fi
  exit 42
}
trap 'on TERM' TERM
trap 'on INT' INT
echo "started" >> "$MARK"
wait "$pid"`;

  async function withStandIn(mode: string, body: (mark: string) => Promise<void>): Promise<void> {
    const exe = join(project, "node_modules", release.target.npmName, "bin", release.target.exe);
    const aside = `${exe}.real`;
    const mark = join(tmp.path, `mark-${mode}-${Date.now()}`);
    renameSync(exe, aside);
    try {
      writeScript(dirname(exe), release.target.exe, STAND_IN);
      await body(mark);
    } finally {
      renameSync(aside, exe);
    }
  }

  const marks = (file: string) =>
    existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : [];

  test.each([
    ["SIGINT to the whole process group (Ctrl-C)", "SIGINT", "INT", true],
    ["SIGTERM to the launcher alone (a supervisor)", "SIGTERM", "TERM", false],
  ] as const)(
    "%s reaches the binary once; its exit status comes back",
    async (_, signal, seen, group) => {
      await withStandIn("exit", async (mark) => {
        const proc = Bun.spawn([bin("mcp-gateway"), "stdio"], {
          cwd: project,
          env: { ...env, MARK: mark, MODE: "exit" },
          stdin: "pipe",
          stdout: "ignore",
          stderr: "pipe",
          detached: true,
        });
        try {
          await waitFor(() => marks(mark).includes("started"), { message: "stand-in to start" });
          process.kill(group ? -proc.pid : proc.pid, signal);
          expect(await proc.exited).toBe(42);
          expect(marks(mark)).toEqual(["started", seen]);
        } finally {
          await killTree(proc.pid);
        }
      });
    },
    SLOW,
  );

  test(
    "a binary killed by a signal: the launcher ends by the same signal",
    async () => {
      await withStandIn("die", async (mark) => {
        const proc = Bun.spawn([bin("mcp-gateway"), "stdio"], {
          cwd: project,
          env: { ...env, MARK: mark, MODE: "die" },
          stdin: "pipe",
          stdout: "ignore",
          stderr: "pipe",
        });
        try {
          await waitFor(() => marks(mark).includes("started"), { message: "stand-in to start" });
          const [child] = descendants(proc.pid);
          proc.kill("SIGTERM");
          await proc.exited;
          expect(proc.signalCode).toBe("SIGTERM");
          expect(marks(mark)).toEqual(["started", "TERM"]);
          if (child !== undefined)
            await waitFor(() => !isAlive(child), { message: "stand-in to exit" });
        } finally {
          await killTree(proc.pid);
        }
      });
    },
    SLOW,
  );

  test(
    "the real gateway behind the launcher: SIGTERM ends it as it ends the binary alone",
    async () => {
      const exe = join(project, "node_modules", release.target.npmName, "bin", release.target.exe);
      const direct = spawnRpc(exe, ["stdio"], { cwd: project, env: only(env) });
      const launched = spawnRpc(bin("mcp-gateway"), ["stdio"], { cwd: project, env: only(env) });
      try {
        await direct.request("initialize", INITIALIZE);
        await launched.request("initialize", INITIALIZE);
        const [child] = descendants(launched.pid);
        direct.kill("SIGTERM");
        launched.kill("SIGTERM");
        expect(await launched.exited).toBe(await direct.exited);
        expect(launched.stderrText()).toContain("SIGTERM: shutting down");
        expect(launched.stderrText()).not.toContain("again");
        if (child !== undefined)
          await waitFor(() => !isAlive(child), { message: "binary to exit" });
      } finally {
        direct.kill("SIGKILL");
        launched.kill("SIGKILL");
      }
    },
    SLOW,
  );

  test(
    "without a platform package: a clear message, or the sources run with Bun when it is on PATH",
    async () => {
      const pkgDir = join(project, "node_modules", release.target.npmName);
      const away = join(tmp.path, "platform-package-away");
      renameSync(pkgDir, away);
      try {
        const noBun = await run([bin("mcp-gateway"), "--version"], { cwd: project, env });
        expect(noBun.code).toBe(1);
        expect(noBun.stderr).toContain(`package ${release.target.npmName} is not installed`);
        expect(noBun.stderr).toContain("Bun was not found");

        const withBun = toolbox(tmp.path, [], ["bun"]);
        withBun.add("bun", process.execPath);
        const fallback = await run([bin("mcp-gateway"), "--version"], {
          cwd: project,
          env: { ...env, PATH: `${env.PATH}:${withBun.dir}`, MCP_UNIFY_DEBUG: "1" },
        });
        expect(fallback.stderr).toContain("running the sources with");
        expect(fallback.stdout.trim()).toBe(VERSION);
        expect(fallback.code).toBe(0);
      } finally {
        renameSync(away, pkgDir);
      }
      expect(existsSync(pkgDir)).toBe(true);
    },
    SLOW,
  );
});
