// What the OAuth tests share: a real authorization server and protected MCP servers on
// 127.0.0.1, a gateway config and state folder of their own, the stand-in browser, and a check
// that no credential from the token file shows up anywhere else.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MAIN, ROOT } from "../helpers/paths.ts";
import { initialize, type RpcProcess, spawnRpc } from "../helpers/rpc.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";
import {
  type AuthServer,
  type AuthServerOptions,
  startAuthServer,
} from "./fixtures/auth-server.ts";
import { type ProtectedMcp, startProtectedMcp } from "./fixtures/protected-mcp.ts";

export { MAIN };
export const FOLLOW = join(ROOT, "test/oauth/follow-redirect.ts");

export interface Scene {
  as: AuthServer;
  servers: Record<string, ProtectedMcp>;
  dir: TempDir;
  config: string;
  env: Record<string, string>;
  tokenFile: string;
  /** URLs the stand-in browser was asked to open, in order. */
  opened(): string[];
  /** The token file as JSON (undefined before the first login). */
  tokens(): StoreJson | undefined;
  /** Every credential in the token file. */
  secrets(): string[];
  stop(): Promise<void>;
}

export interface StoreJson {
  servers: Record<string, { url: string; tokens: Record<string, string>; expires_at?: number }>;
  clients: Array<{ issuer: string; redirect_uri: string; info: Record<string, unknown> }>;
}

export interface SceneOptions extends AuthServerOptions {
  /** Protected servers to start, by name (default: one, "prot"). */
  names?: string[];
  /** Extra YAML per server (indented under it), e.g. "    oauth: { grant: client_credentials }". */
  extra?: Record<string, string>;
  /** Top-level YAML added to the config. */
  top?: string;
  /** "follow" (default) logs in; "ignore" only records the URL, like a person who has not clicked yet. */
  browser?: "follow" | "ignore";
}

export async function scene(opts: SceneOptions = {}): Promise<Scene> {
  const dir = tempDir("mcp-gateway-oauth-");
  const as = await startAuthServer(opts);
  const servers: Record<string, ProtectedMcp> = {};
  const lines = [opts.top ?? "start_timeout: 20", "servers:"];
  for (const name of opts.names ?? ["prot"]) {
    const s = startProtectedMcp(as.issuer, (t) => as.verify(t), name);
    servers[name] = s;
    lines.push(`  ${name}:`, `    url: ${s.url}`, "    transport: http");
    if (opts.extra?.[name]) lines.push(opts.extra[name]);
  }
  const config = join(dir.path, "gateway.yaml");
  writeFileSync(config, `${lines.join("\n")}\n`);
  const followLog = join(dir.path, "opened.log");
  const tokenFile = join(dir.path, "state", "mcp-gateway", "oauth.json");
  const env = {
    XDG_STATE_HOME: join(dir.path, "state"),
    XDG_CACHE_HOME: join(dir.path, "cache"),
    BROWSER: `${process.execPath} ${FOLLOW}`,
    FOLLOW_LOG: followLog,
    FOLLOW_MODE: opts.browser ?? "follow",
    MCP_GATEWAY_LOG: "debug",
  };
  const tokens = () =>
    existsSync(tokenFile) ? (JSON.parse(readFileSync(tokenFile, "utf8")) as StoreJson) : undefined;
  return {
    as,
    servers,
    dir,
    config,
    env,
    tokenFile,
    tokens,
    opened() {
      const lines = existsSync(followLog) ? readFileSync(followLog, "utf8").split("\n") : [];
      const failed = lines.find((l) => l.startsWith("!"));
      if (failed) throw new Error(`the stand-in browser failed: ${failed}`);
      return lines.filter(Boolean);
    },
    secrets() {
      const t = tokens();
      if (!t) return [];
      const out: string[] = [];
      for (const s of Object.values(t.servers))
        for (const k of ["access_token", "refresh_token"]) if (s.tokens[k]) out.push(s.tokens[k]);
      for (const c of t.clients)
        if (typeof c.info.client_secret === "string") out.push(c.info.client_secret);
      return out;
    },
    async stop() {
      for (const s of Object.values(servers)) s.stop();
      await as.close();
      dir.cleanup();
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mcp-gateway <args>` to its end. */
export async function cli(
  s: Scene,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const proc = Bun.spawn([process.execPath, MAIN, ...args], {
    env: { ...process.env, ...s.env, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 50_000);
  const [stdout, stderr] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  await proc.exited;
  clearTimeout(timer);
  return { code: proc.exitCode, stdout, stderr };
}

/** `mcp-gateway stdio` on the scene's config, initialized. */
export async function stdio(s: Scene, env: Record<string, string> = {}): Promise<RpcProcess> {
  const gw = spawnRpc(process.execPath, [MAIN, "stdio", "--config", s.config], {
    env: { ...s.env, ...env },
    timeout: 30_000,
  });
  await initialize(gw);
  return gw;
}

/** A tool call's text (first content item) and whether it is an error. */
export async function call(
  gw: RpcProcess,
  name: string,
): Promise<{ text: string; isError: boolean }> {
  const res = await gw.request("tools/call", { name, arguments: {} });
  if (res.error) return { text: res.error.message, isError: true };
  const content = (res.result?.content as Array<{ text?: string }> | undefined) ?? [];
  return { text: content[0]?.text ?? "", isError: res.result?.isError === true };
}

export async function stopGateway(gw: RpcProcess): Promise<void> {
  gw.close();
  await Promise.race([gw.exited, Bun.sleep(5000)]);
  gw.kill();
}

/** The credentials of `s` that occur in `text` (expected: none). */
export function leaked(s: Scene, ...texts: string[]): string[] {
  const all = texts.join("\n");
  return s.secrets().filter((secret) => all.includes(secret));
}
