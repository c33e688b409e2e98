// The backend tests' scene: the gateway driven through spawnRpc (which plays an MCP client), with
// the shell-wrapped fixture and the orphan wait these tests need. The scene itself is shared
// (test/helpers/scene.ts).
import { fixtureCommand } from "../helpers/fixture.ts";
import { isAlive, waitFor } from "../helpers/proc.ts";
import { toolNames } from "../helpers/results.ts";
import { initialize, type RpcMessage, type RpcProcess, spawnRpc } from "../helpers/rpc.ts";
import { type Env, SceneBase } from "../helpers/scene.ts";

/** The fixture behind `sh -c`, with the shell kept alive as its parent (no exec). */
export function shWrapped(flags: string[] = []): { command: string; args: string[] } {
  const { command, args } = fixtureCommand(flags);
  const quoted = [command, ...args].map((a) => `'${a}'`).join(" ");
  return { command: "sh", args: ["-c", `${quoted}; echo "wrapper done" >&2`] };
}

export interface GatewayProc extends RpcProcess {
  call(name: string, args?: object, timeout?: number): Promise<RpcMessage>;
  tools(): Promise<string[]>;
  /** Notifications received so far with this method. */
  received(method: string): RpcMessage[];
}

export class Scene extends SceneBase<RpcProcess> {
  constructor() {
    super("mcp-gateway-lazy-");
  }

  protected launch(cmd: string, args: string[], opts: { env: Env; cwd: string }): RpcProcess {
    return spawnRpc(cmd, args, opts);
  }

  /** `mcp-gateway stdio` on this scene's config, initialized. */
  async gateway(): Promise<GatewayProc> {
    const rpc = this.spawn(["stdio", "--config", this.config]);
    await initialize(rpc);
    const gw: GatewayProc = Object.assign(rpc, {
      call: (name: string, args: object = {}, timeout?: number) =>
        rpc.request("tools/call", { name, arguments: args }, timeout),
      tools: async () => toolNames(await rpc.request("tools/list")),
      received: (method: string) => rpc.messages.filter((m) => m.method === method && !("id" in m)),
    });
    return gw;
  }
}

/** Waits (bounded) until none of `pids` is alive; throws naming the survivors. */
export async function allGone(pids: number[], timeout = 6000): Promise<void> {
  await waitFor(() => pids.every((p) => !isAlive(p)), {
    timeout,
    message: `processes to be gone: ${pids.filter(isAlive).join(", ")} of ${pids.join(", ")}`,
  });
}
