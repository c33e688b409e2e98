// A gateway run as a user runs it (`bun src/main.ts stdio`), in a scratch folder of its own, with
// everything the reliability tests check afterwards: fixture pid markers, the gateway's descendants
// seen while it ran, its stderr, and a shutdown that proves no process was left behind.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fixtureCommand } from "../helpers/fixture.ts";
import { descendants, isAlive, killTree, pidsIn, waitFor } from "../helpers/proc.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";
import { initialize, type Message, RawClient } from "./raw.ts";

export const ROOT = resolve(import.meta.dir, "../..");
export const MAIN = join(ROOT, "src/main.ts");
export const BUN = process.execPath;
export const JUNK_BACKEND = join(import.meta.dir, "junk-backend.ts");

/** Text of the first content item of a tools/call response. */
export const textOf = (res: Message): string => {
  const content = res.result?.content as { text?: string }[] | undefined;
  return content?.[0]?.text ?? "";
};

/** The failure text of an answer in either form the gateway uses (tool error or JSON-RPC error). */
export const failureText = (res: Message): string | undefined => {
  if (res.error) return res.error.message;
  if (res.result?.isError === true) return textOf(res);
  return undefined;
};

/** A healthy fixture server, for checking that one backend's fault leaves the others alone. */
export const healthy = () => fixtureCommand();

export class Scene {
  readonly dir: TempDir = tempDir("mcp-gateway-rel-");
  readonly pidDir = join(this.dir.path, "pids");
  readonly cacheHome = join(this.dir.path, "cache");
  readonly config = join(this.dir.path, "gateway.yaml");
  private readonly procs: RawClient[] = [];
  private readonly seen = new Set<number>();

  constructor() {
    mkdirSync(this.pidDir, { recursive: true });
  }

  /** YAML is a superset of JSON, so the config is written as JSON. */
  writeConfig(config: object, file = this.config): string {
    writeFileSync(file, JSON.stringify(config, null, 2));
    return file;
  }

  env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    return {
      XDG_CACHE_HOME: this.cacheHome,
      FIXTURE_PID_DIR: this.pidDir,
      MCP_GATEWAY_CONFIG: undefined,
      MCP_GATEWAY_ROLE: undefined,
      MCP_GATEWAY_LOG: "info",
      NO_COLOR: "1",
      ...extra,
    };
  }

  /** Any CLI command with this scene's environment. */
  spawn(args: string[], env: Record<string, string | undefined> = {}): RawClient {
    const proc = new RawClient([BUN, MAIN, ...args], { env: this.env(env), cwd: this.dir.path });
    this.procs.push(proc);
    return proc;
  }

  /** `mcp-gateway stdio` on this scene's config, initialized with `version`. */
  async gateway(
    opts: { version?: string; args?: string[]; env?: Record<string, string> } = {},
  ): Promise<RawClient> {
    const gw = this.spawn(["stdio", "--config", this.config, ...(opts.args ?? [])], opts.env);
    const init = await initialize(gw, opts.version);
    if (init.error) throw new Error(`initialize failed: ${JSON.stringify(init.error)}`);
    return gw;
  }

  /** `mcp-gateway serve --port 0` on this scene's config; resolves once it listens. */
  async serve(
    opts: { args?: string[]; env?: Record<string, string> } = {},
  ): Promise<{ proc: RawClient; url: string }> {
    const proc = this.spawn(
      ["serve", "--port", "0", "--config", this.config, ...(opts.args ?? [])],
      opts.env,
    );
    const url = await proc.until(
      () => /serving MCP at (http:\/\/\S+)/.exec(proc.stderrText())?.[1],
      "the gateway to listen",
      20_000,
    );
    return { proc, url };
  }

  /** Runs a CLI command to its end (bounded); stdout, stderr and the exit code. */
  async run(args: string[], env: Record<string, string> = {}, timeout = 20_000) {
    const proc = this.spawn(args, env);
    proc.close();
    const code = await Promise.race([proc.exited, Bun.sleep(timeout).then(() => "timeout")]);
    const stdout = [...proc.junk, ...proc.received.map((m) => JSON.stringify(m))].join("\n");
    return { code, stdout, stderr: proc.stderrText(), pid: proc.pid };
  }

  /** Fixture servers started so far (one marker per start), and their grandchildren. */
  starts(): number[] {
    return pidsIn(this.pidDir);
  }
  grandchildren(): number[] {
    return pidsIn(this.pidDir, "grandchild-");
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

  /**
   * Stop the gateway (stdio: close its stdin, the way a client leaves; `signal` for `serve`),
   * wait for it to exit, and return the backend-side processes still alive: tests expect none.
   */
  async shutdown(
    gw: RawClient,
    timeout = 10_000,
    signal?: NodeJS.Signals,
  ): Promise<{ code: unknown; left: number[] }> {
    this.note(gw.pid);
    if (signal) gw.kill(signal);
    else gw.close();
    const code = await Promise.race([gw.exited, Bun.sleep(timeout).then(() => "timeout")]);
    // The gateway waits for its backends before it exits; allow /proc a moment to agree.
    await waitFor(() => !this.backends().some(isAlive), { timeout: 1000 }).catch(() => {});
    return { code, left: this.backends().filter(isAlive) };
  }

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
