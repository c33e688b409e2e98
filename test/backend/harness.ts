// The gateway as a user runs it (`bun src/main.ts stdio`), in a scratch folder of its own: a
// config, a schema cache and a FIXTURE_PID_DIR, so tests count backend starts and hunt orphans.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fixtureCommand } from "../helpers/fixture.ts";
import { descendants, isAlive, killTree, pidsIn, waitFor } from "../helpers/proc.ts";
import { initialize, type RpcMessage, type RpcProcess, spawnRpc } from "../helpers/rpc.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";

export const ROOT = resolve(import.meta.dir, "../..");
export const MAIN = join(ROOT, "src/main.ts");
export const BUN = process.execPath;

/** The fixture behind `sh -c`, with the shell kept alive as its parent (no exec). */
export function shWrapped(flags: string[] = []): { command: string; args: string[] } {
  const { command, args } = fixtureCommand(flags);
  const quoted = [command, ...args].map((a) => `'${a}'`).join(" ");
  return { command: "sh", args: ["-c", `${quoted}; echo "wrapper done" >&2`] };
}

/** Text of the first content item of a tools/call response. */
export const textOf = (res: RpcMessage): string => {
  const content = res.result?.content as { text?: string }[] | undefined;
  return content?.[0]?.text ?? "";
};
export const toolNames = (res: RpcMessage): string[] =>
  ((res.result?.tools as { name: string }[] | undefined) ?? []).map((t) => t.name);

export interface GatewayProc extends RpcProcess {
  call(name: string, args?: object, timeout?: number): Promise<RpcMessage>;
  tools(): Promise<string[]>;
  /** Notifications received so far with this method. */
  received(method: string): RpcMessage[];
}

export class Scene {
  readonly dir: TempDir = tempDir("mcp-gateway-lazy-");
  readonly pidDir = join(this.dir.path, "pids");
  readonly cacheHome = join(this.dir.path, "cache");
  readonly cacheDir = join(this.cacheHome, "mcp-gateway");
  readonly config = join(this.dir.path, "gateway.yaml");
  private readonly procs: RpcProcess[] = [];
  /** Extra pids to kill at cleanup (wrappers seen while running). */
  readonly seen = new Set<number>();

  constructor() {
    mkdirSync(this.pidDir, { recursive: true });
  }

  /** YAML is a superset of JSON, so the config is written as JSON. */
  writeConfig(config: object): string {
    writeFileSync(this.config, JSON.stringify(config, null, 2));
    return this.config;
  }

  env(): Record<string, string | undefined> {
    return {
      XDG_CACHE_HOME: this.cacheHome,
      FIXTURE_PID_DIR: this.pidDir,
      MCP_GATEWAY_CONFIG: undefined,
      MCP_GATEWAY_ROLE: undefined,
      MCP_GATEWAY_LOG: "info",
    };
  }

  /** Any CLI command with this scene's environment, as a raw process. */
  spawn(args: string[], command: string[] = [BUN, MAIN]): RpcProcess {
    const [cmd = BUN, ...pre] = command;
    const proc = spawnRpc(cmd, [...pre, ...args], { env: this.env(), cwd: this.dir.path });
    this.procs.push(proc);
    return proc;
  }

  /** `mcp-gateway stdio` on this scene's config, initialized. */
  async gateway(command?: string[]): Promise<GatewayProc> {
    const rpc = this.spawn(["stdio", "--config", this.config], command);
    await initialize(rpc);
    const gw: GatewayProc = Object.assign(rpc, {
      call: (name: string, args: object = {}, timeout?: number) =>
        rpc.request("tools/call", { name, arguments: args }, timeout),
      tools: async () => toolNames(await rpc.request("tools/list")),
      received: (method: string) => rpc.messages.filter((m) => m.method === method && !("id" in m)),
    });
    return gw;
  }

  /** Pids of fixture servers started so far (one file per start). */
  starts(): number[] {
    return pidsIn(this.pidDir);
  }
  grandchildren(): number[] {
    return pidsIn(this.pidDir, "grandchild-");
  }

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

  /** Remember the gateway's current descendants (shell wrappers) so cleanup reaches them. */
  note(gatewayPid: number): number[] {
    const found = descendants(gatewayPid);
    for (const p of found) this.seen.add(p);
    return found;
  }

  /** Every process this scene knows of: gateways, their descendants, fixture markers, wrappers. */
  known(): number[] {
    const pids = new Set<number>([...this.seen, ...this.starts(), ...this.grandchildren()]);
    for (const p of this.procs) {
      pids.add(p.pid);
      for (const d of descendants(p.pid)) pids.add(d);
    }
    return [...pids];
  }

  async cleanup(): Promise<void> {
    const pids = this.known().filter(isAlive);
    await Promise.all(pids.map((p) => killTree(p).catch(() => {})));
    this.dir.cleanup();
  }
}

/** Waits (bounded) until none of `pids` is alive; throws naming the survivors. */
export async function allGone(pids: number[], timeout = 6000): Promise<void> {
  await waitFor(() => pids.every((p) => !isAlive(p)), {
    timeout,
    message: `processes to be gone: ${pids.filter(isAlive).join(", ")} of ${pids.join(", ")}`,
  });
}
