// The reliability tests' scene: the gateway driven through RawClient (which counts every answer),
// with `serve`, a run-to-the-end `run`, and a shutdown that proves no process was left behind.
// The scene itself (scratch folder, markers, cleanup) is shared: test/helpers/scene.ts.
import { join } from "node:path";
import { fixtureCommand } from "../helpers/fixture.ts";
import { isAlive, waitFor } from "../helpers/proc.ts";
import { textOf } from "../helpers/results.ts";
import { type Env, SceneBase } from "../helpers/scene.ts";
import { initialize, type Message, RawClient } from "./raw.ts";

export const JUNK_BACKEND = join(import.meta.dir, "junk-backend.ts");

/** The failure text of an answer in either form the gateway uses (tool error or JSON-RPC error). */
export const failureText = (res: Message): string | undefined => {
  if (res.error) return res.error.message;
  if (res.result?.isError === true) return textOf(res);
  return undefined;
};

/** A healthy fixture server, for checking that one backend's fault leaves the others alone. */
export const healthy = () => fixtureCommand();

export class Scene extends SceneBase<RawClient> {
  constructor() {
    super("mcp-gateway-rel-");
  }

  protected launch(cmd: string, args: string[], opts: { env: Env; cwd: string }): RawClient {
    return new RawClient([cmd, ...args], opts);
  }

  /** With NO_COLOR=1, as these tests have always run: their checks read stderr as plain text. */
  override env(extra: Env = {}): Env {
    return super.env({ NO_COLOR: "1", ...extra });
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
}
