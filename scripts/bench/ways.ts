// The floor (direct stdio to the server) and the gateway's three fronts.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./spawn.ts";
import { BACKEND, freePort, httpLaunch, stdioLaunch, type Way } from "./way.ts";

export interface GatewaySetup {
  /** The gateway command: the compiled binary, or bun + src/main.ts. */
  cmd: string[];
  config: string;
  /** XDG_CACHE_HOME (a warm schema cache) and anything else the gateway runs with. */
  env: Record<string, string>;
}

export const direct: Way = {
  id: "direct",
  label: "direct stdio (floor)",
  kind: "floor",
  tool: "echo",
  launch: async () => stdioLaunch(BACKEND),
};

/** Writes a one-server config in `dir` and fills the schema cache with `list --refresh`. */
export async function setupGateway(cmd: string[], dir: string): Promise<GatewaySetup> {
  await mkdir(dir, { recursive: true });
  const config = join(dir, "gateway.yaml");
  const args = BACKEND.slice(1).map((a) => JSON.stringify(a));
  await writeFile(
    config,
    `servers:\n  everything:\n    command: ${BACKEND[0]}\n    args: [${args.join(", ")}]\n`,
  );
  const env = { XDG_CACHE_HOME: join(dir, "cache") };
  await warmCache(cmd, config, env);
  return { cmd, config, env };
}

export async function warmCache(
  cmd: string[],
  config: string,
  env: Record<string, string>,
): Promise<void> {
  const out = await run([...cmd, "list", "--refresh", "--config", config], {
    env,
    timeoutMs: 60_000,
  });
  if (out.code !== 0) throw new Error(`list --refresh exited ${out.code}: ${out.out.slice(-800)}`);
}

export function gatewayWays(g: GatewaySetup): Way[] {
  const tool = "everything_echo";
  const serve = (port: number) => [...g.cmd, "serve", "--port", String(port), "--config", g.config];
  return [
    {
      id: "gw-stdio",
      label: "gateway stdio",
      kind: "gateway",
      tool,
      launch: async () => stdioLaunch([...g.cmd, "stdio", "--config", g.config], { env: g.env }),
    },
    {
      id: "gw-http",
      label: "gateway Streamable HTTP",
      kind: "gateway",
      tool,
      launch: async () => {
        const port = freePort();
        return httpLaunch(serve(port), "streamable", `http://127.0.0.1:${port}/mcp`, {
          env: g.env,
        });
      },
    },
    {
      id: "gw-modern",
      label: "gateway Streamable HTTP, 2026-07-28",
      kind: "gateway",
      tool,
      launch: async () => {
        const port = freePort();
        return httpLaunch(serve(port), "modern", `http://127.0.0.1:${port}/mcp`, { env: g.env });
      },
    },
    {
      id: "gw-sse",
      label: "gateway SSE",
      kind: "gateway",
      tool,
      launch: async () => {
        const port = freePort();
        return httpLaunch(serve(port), "sse", `http://127.0.0.1:${port}/sse`, { env: g.env });
      },
    },
  ];
}
