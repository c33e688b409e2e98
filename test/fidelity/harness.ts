// The fidelity tests' scene: the gateway as users run it (`bun src/main.ts stdio|serve`) in a
// scratch folder, driven by the raw JSON-RPC client of test/helpers/rpc.ts (which plays the MCP
// client and answers the gateway's requests), next to the same backend spoken to directly.
import { fileURLToPath } from "node:url";
import { isAlive, killTree, waitFor } from "../helpers/proc.ts";
import { type RpcMessage, type RpcProcess, spawnRpc } from "../helpers/rpc.ts";
import { type Env, SceneBase } from "../helpers/scene.ts";

export const EVERYTHING = fileURLToPath(
  new URL(
    "../../node_modules/@modelcontextprotocol/server-everything/dist/index.js",
    import.meta.url,
  ),
);

/** server-everything's tool that runs only as a task (taskSupport "required"). */
export const RESEARCH = "simulate-research-query";

export class Scene extends SceneBase<RpcProcess> {
  constructor(prefix = "mcp-gateway-fidelity-") {
    super(prefix);
  }

  protected launch(cmd: string, args: string[], opts: { env: Env; cwd: string }): RpcProcess {
    return spawnRpc(cmd, args, { env: opts.env, cwd: opts.cwd, timeout: 20_000 });
  }

  override env(extra: Env = {}): Env {
    return super.env({ NO_COLOR: "1", ...extra });
  }

  /** `mcp-gateway stdio` on this scene's config (not initialized). */
  stdio(args: string[] = [], env: Env = {}): RpcProcess {
    return this.spawn(["stdio", "--config", this.config, ...args], env);
  }

  /** `mcp-gateway serve --port 0` on a config (this scene's by default); resolves once it listens. */
  async serve(config = this.config, env: Env = {}): Promise<{ proc: RpcProcess; url: string }> {
    const proc = this.spawn(["serve", "--port", "0", "--config", config], env);
    const url = await waitFor(() => /serving MCP at (http:\/\/\S+)/.exec(proc.stderrText())?.[1], {
      timeout: 20_000,
      message: "the gateway to listen",
    });
    return { proc, url };
  }

  /** server-everything over stdio, spoken to directly (stopped at cleanup like the rest). */
  everything(): RpcProcess {
    const proc = spawnRpc("node", [EVERYTHING, "stdio"], { timeout: 20_000 });
    this.direct.push(proc.pid);
    return proc;
  }

  override async cleanup(): Promise<void> {
    await Promise.all(this.direct.filter(isAlive).map((p) => killTree(p).catch(() => {})));
    await super.cleanup();
  }

  private readonly direct: number[] = [];
}

/** A result, or throws with the JSON-RPC error (for the steps that must succeed). */
export function must(res: RpcMessage): Record<string, unknown> {
  if (res.error || !res.result) throw new Error(`expected a result: ${JSON.stringify(res)}`);
  return res.result;
}

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * A message with what must differ between two runs made equal: task ids (each side has its own)
 * and timestamps. Everything else must be the same, field for field.
 */
export function normalize(v: unknown, ids: ReadonlySet<string>): unknown {
  if (typeof v === "string") {
    if (TIME.test(v)) return "<time>";
    let s = v;
    for (const id of ids) s = s.replaceAll(id, "<task>");
    return s;
  }
  if (Array.isArray(v)) return v.map((x) => normalize(x, ids));
  if (typeof v === "object" && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x, ids)]));
  return v;
}
