// The gateway as a user runs it (`bun src/main.ts …`), in a scratch folder of its own: a config,
// a schema cache and a FIXTURE_PID_DIR, so tests count backend starts and hunt orphans. Shared by
// the backend tests (test/backend/harness.ts) and the reliability tests (test/reliability/
// scene.ts), which differ only in the raw client they drive the gateway with.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, MAIN } from "./paths.ts";
import { descendants, isAlive, killTree, pidsIn } from "./proc.ts";
import { type TempDir, tempDir } from "./tmp.ts";

export type Env = Record<string, string | undefined>;

export abstract class SceneBase<Client extends { readonly pid: number }> {
  readonly dir: TempDir;
  readonly pidDir: string;
  readonly cacheHome: string;
  readonly cacheDir: string;
  readonly config: string;
  private readonly procs: Client[] = [];
  /** Backend-side pids seen while the gateway ran (shell wrappers), so cleanup reaches them. */
  private readonly seen = new Set<number>();

  constructor(prefix: string) {
    this.dir = tempDir(prefix);
    this.pidDir = join(this.dir.path, "pids");
    this.cacheHome = join(this.dir.path, "cache");
    this.cacheDir = join(this.cacheHome, "mcp-gateway");
    this.config = join(this.dir.path, "gateway.yaml");
    mkdirSync(this.pidDir, { recursive: true });
  }

  /** Starts `argv` as this scene's client kind; the one thing the two kinds of scene differ in. */
  protected abstract launch(cmd: string, args: string[], opts: { env: Env; cwd: string }): Client;

  /** YAML is a superset of JSON, so the config is written as JSON. */
  writeConfig(config: object, file = this.config): string {
    writeFileSync(file, JSON.stringify(config, null, 2));
    return file;
  }

  /** The gateway's environment: this scene's cache and markers, none of the caller's settings. */
  env(extra: Env = {}): Env {
    return {
      XDG_CACHE_HOME: this.cacheHome,
      // serve's run file (for `mcp-gateway reload`) stays in the scene too.
      XDG_RUNTIME_DIR: join(this.dir.path, "run"),
      FIXTURE_PID_DIR: this.pidDir,
      MCP_GATEWAY_CONFIG: undefined,
      MCP_GATEWAY_ROLE: undefined,
      MCP_GATEWAY_LOG: "info",
      ...extra,
    };
  }

  /** Any CLI command with this scene's environment, in its folder; stopped at cleanup. */
  spawn(args: string[], env: Env = {}): Client {
    const proc = this.launch(BUN, [MAIN, ...args], { env: this.env(env), cwd: this.dir.path });
    this.procs.push(proc);
    return proc;
  }

  /** Fixture servers started so far (one marker per start). */
  starts(): number[] {
    return pidsIn(this.pidDir);
  }
  /** The grandchildren the fixture servers started. */
  grandchildren(): number[] {
    return pidsIn(this.pidDir, "grandchild-");
  }

  /** Files of the schema cache, by path. */
  cacheFiles(): string[] {
    try {
      return readdirSync(this.cacheDir).map((f) => join(this.cacheDir, f));
    } catch {
      return [];
    }
  }
  cacheJson(): Record<string, unknown> {
    const [file] = this.cacheFiles().filter((f) => f.endsWith(".json"));
    if (!file) throw new Error(`no cache file in ${this.cacheDir}`);
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  }

  /** Remember the gateway's current descendants, so the orphan check and cleanup reach them. */
  note(pid: number): number[] {
    const found = descendants(pid);
    for (const p of found) this.seen.add(p);
    return found;
  }

  /** Every backend-side process this scene knows of (alive or not). */
  backends(): number[] {
    return [...new Set([...this.seen, ...this.starts(), ...this.grandchildren()])];
  }

  /** Kills everything it knows of (gateways, their descendants, backends) and removes the folder. */
  async cleanup(): Promise<void> {
    const pids = new Set(this.backends());
    for (const p of this.procs) {
      pids.add(p.pid);
      for (const d of descendants(p.pid)) pids.add(d);
    }
    await Promise.all([...pids].filter(isAlive).map((p) => killTree(p).catch(() => {})));
    this.dir.cleanup();
  }
}
