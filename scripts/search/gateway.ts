// A real `mcp-gateway stdio` (the compiled binary when built) in front of the 20-server catalog:
// catalog servers of ours, and the real npm servers for the catalog's everything, memory, filesystem.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { descendants, rssKb } from "../../test/helpers/proc.ts";
import { initialize, type RpcProcess, spawnRpc } from "../../test/helpers/rpc.ts";
import type { CatalogFile } from "./data.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BINARY = join(ROOT, "dist", "mcp-gateway");
const CATALOG_SERVER = join(ROOT, "test", "fixtures", "catalog-server.ts");
const npm = (name: string) =>
  join(ROOT, "node_modules", "@modelcontextprotocol", name, "dist", "index.js");

/** The compiled binary if built, else the sources under this bun. */
export function gatewayCommand(): { cmd: string[]; label: string } {
  return existsSync(BINARY)
    ? { cmd: [BINARY], label: "dist/mcp-gateway (compiled)" }
    : { cmd: [process.execPath, join(ROOT, "src", "main.ts")], label: "bun src/main.ts" };
}

/** The servers block: real npm servers where they list tools offline, the catalog server else. */
export function servers(files: CatalogFile[], dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of files) {
    if (c.server === "everything")
      out[c.server] = { command: process.execPath, args: [npm("server-everything"), "stdio"] };
    else if (c.server === "memory")
      out[c.server] = {
        command: process.execPath,
        args: [npm("server-memory")],
        env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl") },
      };
    else if (c.server === "filesystem") {
      mkdirSync(join(dir, "files"), { recursive: true });
      out[c.server] = {
        command: process.execPath,
        args: [npm("server-filesystem"), join(dir, "files")],
      };
    } else out[c.server] = { command: process.execPath, args: [CATALOG_SERVER, c.path] };
  }
  return out;
}

export function writeConfig(dir: string, config: Record<string, unknown>, name: string): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

export interface Running {
  rpc: RpcProcess;
  stop(): Promise<void>;
}

export async function startStdio(
  config: string,
  dir: string,
  command = gatewayCommand().cmd,
): Promise<Running> {
  const [cmd, ...args] = command;
  const rpc = spawnRpc(cmd as string, [...args, "stdio", "--config", config], {
    env: { XDG_CACHE_HOME: join(dir, "cache"), MCP_GATEWAY_LOG: "error" },
    timeout: 60_000,
  });
  await initialize(rpc);
  return {
    rpc,
    async stop() {
      rpc.close();
      const done = await Promise.race([
        rpc.exited.then(() => true),
        Bun.sleep(10_000).then(() => false),
      ]);
      if (!done) rpc.kill("SIGKILL");
    },
  };
}

/** `mcp-gateway list --refresh`: every server started once, its schemas cached. */
export async function warm(
  config: string,
  dir: string,
  command = gatewayCommand().cmd,
): Promise<void> {
  const [cmd, ...args] = command;
  const p = Bun.spawn([cmd as string, ...args, "list", "--refresh", "--config", config], {
    env: { ...process.env, XDG_CACHE_HOME: join(dir, "cache"), MCP_GATEWAY_LOG: "error" },
    stdout: "ignore",
    stderr: "pipe",
  });
  const code = await Promise.race([p.exited, Bun.sleep(120_000).then(() => "timeout")]);
  if (code !== 0) {
    p.kill("SIGKILL");
    throw new Error(`list --refresh failed (${code}): ${await new Response(p.stderr).text()}`);
  }
}

/** VmRSS of a process and its descendants, MB. */
export function treeRssMb(pid: number): number {
  return [pid, ...descendants(pid)].reduce((s, p) => s + (rssKb(p) ?? 0), 0) / 1024;
}
