// The peers, installed from npm into a folder of their own, each fronting the same server over
// stdio. Each runs with `node <its bin>` (no npx or shell wrapper between us and its pid), with
// per-message logging off so that it is measured forwarding, not writing logs.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./spawn.ts";
import { BACKEND, freePort, httpLaunch, type Way } from "./way.ts";

export const PEER_SPECS = ["mcp-proxy@6.7", "supergateway@4.0", "mcp-hub@4.2"];

export interface Peers {
  dir: string;
  versions: Record<string, string>;
  bins: Record<string, string>;
}

/** `npm install --prefix dir` the peers (skipped when `dir` already holds them). */
export async function installPeers(dir: string): Promise<Peers> {
  await mkdir(dir, { recursive: true });
  const names = PEER_SPECS.map((s) => s.slice(0, s.lastIndexOf("@")));
  if (!names.every((n) => existsSync(join(dir, "node_modules", n, "package.json")))) {
    const out = await run(
      [
        "npm",
        "install",
        "--prefix",
        dir,
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        ...PEER_SPECS,
      ],
      { timeoutMs: 300_000 },
    );
    if (out.code !== 0) throw new Error(`npm install exited ${out.code}: ${out.out.slice(-800)}`);
  }
  const peers: Peers = { dir, versions: {}, bins: {} };
  for (const name of names) {
    const pkgDir = join(dir, "node_modules", name);
    const pkg = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8")) as {
      version: string;
      bin: string | Record<string, string>;
    };
    const bin =
      typeof pkg.bin === "string" ? pkg.bin : (pkg.bin[name] ?? Object.values(pkg.bin)[0]);
    if (!bin) throw new Error(`${name} declares no bin`);
    peers.versions[name] = pkg.version;
    peers.bins[name] = join(pkgDir, bin);
  }
  return peers;
}

export async function peerWays(peers: Peers): Promise<Way[]> {
  const proxy = peers.bins["mcp-proxy"] ?? "";
  const sg = peers.bins.supergateway ?? "";
  const hub = peers.bins["mcp-hub"] ?? "";
  const v = (name: string) => `${name} ${peers.versions[name] ?? "?"}`;
  const local = (port: number, path: string) => `http://127.0.0.1:${port}${path}`;
  const hubConfig = join(peers.dir, "mcp-hub.json");
  const [command, ...args] = BACKEND;
  await writeFile(hubConfig, JSON.stringify({ mcpServers: { everything: { command, args } } }));
  // mcp-hub keeps state and logs under XDG dirs: keep them in the temp folder.
  const hubEnv = {
    HOME: peers.dir,
    XDG_CONFIG_HOME: join(peers.dir, "xdg-config"),
    XDG_DATA_HOME: join(peers.dir, "xdg-data"),
    XDG_STATE_HOME: join(peers.dir, "xdg-state"),
  };
  const proxyCmd = (port: number) => [
    "node",
    proxy,
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
    "--",
    ...BACKEND,
  ];
  const sgCmd = (port: number, extra: string[]) => [
    "node",
    sg,
    "--stdio",
    BACKEND.join(" "),
    "--port",
    String(port),
    "--logLevel",
    "none",
    ...extra,
  ];
  return [
    {
      id: "mcp-proxy-http",
      label: `${v("mcp-proxy")} Streamable HTTP`,
      kind: "peer",
      tool: "echo",
      launch: async () => {
        const port = freePort();
        return httpLaunch(proxyCmd(port), "streamable", local(port, "/mcp"));
      },
    },
    {
      id: "mcp-proxy-sse",
      label: `${v("mcp-proxy")} SSE`,
      kind: "peer",
      tool: "echo",
      launch: async () => {
        const port = freePort();
        return httpLaunch(proxyCmd(port), "sse", local(port, "/sse"));
      },
    },
    {
      id: "supergateway-sse",
      label: `${v("supergateway")} SSE`,
      kind: "peer",
      tool: "echo",
      launch: async () => {
        const port = freePort();
        return httpLaunch(sgCmd(port, []), "sse", local(port, "/sse"));
      },
    },
    {
      id: "supergateway-http",
      label: `${v("supergateway")} Streamable HTTP (--stateful)`,
      kind: "peer",
      tool: "echo",
      launch: async () => {
        const port = freePort();
        const cmd = sgCmd(port, ["--outputTransport", "streamableHttp", "--stateful"]);
        return httpLaunch(cmd, "streamable", local(port, "/mcp"));
      },
    },
    {
      id: "mcp-hub-sse",
      label: `${v("mcp-hub")} SSE (/mcp)`,
      kind: "peer",
      tool: "everything__echo",
      launch: async () => {
        const port = freePort();
        const cmd = ["node", hub, "--port", String(port), "--config", hubConfig];
        return httpLaunch(cmd, "sse", local(port, "/mcp"), { env: hubEnv });
      },
    },
  ];
}
