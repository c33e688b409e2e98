// Captures the tool lists of real MCP servers from npm for the tool-search catalog fixture
// (test/fixtures/toolsearch/catalog/), offline: each server is started over stdio with dummy keys,
// asked `initialize` + `tools/list` (every page), and stopped. Nothing is called.
// Usage: bun scripts/search/capture-catalog.ts <out-dir> [--dir /tmp/catalog-servers] [--only a,b]
//   --dir   where the packages are installed (npm install --ignore-scripts, pinned versions);
//           missing ones are installed there, never in the repo
//   --only  capture only these servers (by name)
// One file per server, <out-dir>/<server>.json = {server, package, version, tools}, the tools
// exactly as listed. As root with `unshare`, a server runs in a fresh network namespace (no
// network at all), so a server that tries to phone home at start fails instead of sending traffic.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

type Server = {
  /** Short name, [A-Za-z0-9-]+: the exposed tool name is `<server>_<tool>`. */
  server: string;
  package: string;
  version: string;
  /** Path of the entry point inside the package (its `bin`). */
  bin: string;
  args?: string[];
  /** Dummy values for servers that refuse to start without them. */
  env?: Record<string, string>;
};

/**
 * The six servers added to the 14 of the shared catalog. Tried and left out: @supabase/mcp-server-
 * supabase (its tools/list fetches from the network), @heroku/mcp-server (did not start beside the
 * others: it imports an SDK path the hoisted SDK lacks), @modelcontextprotocol/server-gitlab (9
 * tools, lists offline; a near copy of the github server), tavily-mcp and exa-mcp-server (5 and 2
 * tools, list offline; web search like brave-search and firecrawl).
 */
export const SERVERS: readonly Server[] = [
  {
    server: "notion",
    package: "@notionhq/notion-mcp-server",
    version: "2.5.2",
    bin: "bin/cli.mjs",
    env: { NOTION_TOKEN: "dummy" },
  },
  {
    server: "mongodb",
    package: "mongodb-mcp-server",
    version: "3.0.4",
    bin: "dist/esm/index.js",
    env: { MDB_MCP_TELEMETRY: "disabled", DO_NOT_TRACK: "1" },
  },
  {
    server: "kubernetes",
    package: "mcp-server-kubernetes",
    version: "4.1.7",
    bin: "dist/index.js",
  },
  {
    server: "sentry",
    package: "@sentry/mcp-server",
    version: "0.36.0",
    bin: "dist/index.js",
    args: ["--access-token=dummy"],
    env: { SENTRY_ACCESS_TOKEN: "dummy" },
  },
  {
    server: "airtable",
    package: "airtable-mcp-server",
    version: "1.14.0",
    bin: "dist/main.js",
    env: { AIRTABLE_API_KEY: "dummy" },
  },
  {
    server: "google-maps",
    package: "@modelcontextprotocol/server-google-maps",
    version: "0.6.2",
    bin: "dist/index.js",
    env: { GOOGLE_MAPS_API_KEY: "dummy" },
  },
];

const START_TIMEOUT_MS = 30_000;
const STOP_WAIT_MS = 2_000;

type Json = Record<string, unknown>;

function installedVersion(dir: string, pkg: string): string | undefined {
  const file = join(dir, "node_modules", pkg, "package.json");
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

/** Installs the missing or mismatched packages into dir, scripts off, one npm call. */
function ensureInstalled(dir: string, servers: readonly Server[]): void {
  const missing = servers.filter((s) => installedVersion(dir, s.package) !== s.version);
  if (missing.length === 0) return;
  mkdirSync(dir, { recursive: true });
  const manifest = join(dir, "package.json");
  if (!existsSync(manifest))
    writeFileSync(manifest, `${JSON.stringify({ name: "catalog-servers", private: true })}\n`);
  const specs = missing.map((s) => `${s.package}@${s.version}`);
  console.error(`npm install ${specs.join(" ")} (in ${dir})`);
  const r = spawnSync(
    "npm",
    ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--legacy-peer-deps", ...specs],
    { cwd: dir, stdio: ["ignore", "inherit", "inherit"] },
  );
  if (r.status !== 0) throw new Error(`npm install failed (exit ${r.status})`);
}

/** unshare -n (a namespace with only a downed loopback) when we may; else the plain command. */
function isolation(): string[] {
  if (process.getuid?.() !== 0) return [];
  const r = spawnSync("unshare", ["-n", "true"], { stdio: "ignore" });
  return r.status === 0 ? ["unshare", "-n"] : [];
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

/** Ends the child and anything it started (its own process group), bounded waits. */
async function stop(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  child.stdin?.end();
  if (await waitExit(child, STOP_WAIT_MS)) return killGroup(pid, "SIGKILL");
  killGroup(pid, "SIGTERM");
  if (await waitExit(child, STOP_WAIT_MS)) return killGroup(pid, "SIGKILL");
  killGroup(pid, "SIGKILL");
  await waitExit(child, STOP_WAIT_MS);
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal); // the group the detached child leads
  } catch {
    // already gone
  }
}

export async function capture(dir: string, s: Server, wrap: string[]): Promise<Json> {
  const entry = join(dir, "node_modules", s.package, s.bin);
  const cmd = [...wrap, process.env.CAPTURE_NODE ?? "node", entry, ...(s.args ?? [])];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: join(dir, "home"), // no real credentials or config from the user's home
    NODE_ENV: "production",
    DO_NOT_TRACK: "1",
    ...s.env,
  };
  mkdirSync(env.HOME as string, { recursive: true });
  const [file, ...args] = cmd as [string, ...string[]];
  const child = spawn(file, args, {
    cwd: dir,
    env,
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  let stderr = "";
  child.stderr?.on("data", (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  const pending = new Map<number, (msg: Json) => void>();
  let buf = "";
  child.stdout?.on("data", (b: Buffer) => {
    buf += b.toString();
    for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line.startsWith("{")) continue; // a server that logs to stdout
      let msg: Json;
      try {
        msg = JSON.parse(line) as Json;
      } catch {
        continue;
      }
      const id = msg.id;
      if (typeof id === "number" && pending.has(id) && !("method" in msg)) {
        pending.get(id)?.(msg);
        pending.delete(id);
      } else if (typeof id !== "undefined" && "method" in msg) {
        // a request from the server (roots/list, ping ...): answer empty
        send({ jsonrpc: "2.0", id, result: msg.method === "roots/list" ? { roots: [] } : {} });
      }
    }
  });
  const exited = new Promise<never>((_, fail) =>
    child.once("exit", (code, sig) => fail(new Error(`exited (${code ?? sig}) early`))),
  );
  exited.catch(() => {});
  function send(msg: Json): void {
    child.stdin?.write(`${JSON.stringify(msg)}\n`);
  }
  let nextId = 1;
  async function request(method: string, params: Json): Promise<Json> {
    const id = nextId++;
    const answer = new Promise<Json>((done) => pending.set(id, done));
    send({ jsonrpc: "2.0", id, method, params });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`${method}: no answer`)), START_TIMEOUT_MS);
    });
    try {
      const msg = await Promise.race([answer, exited, timeout]);
      if (msg.error) throw new Error(`${method}: ${JSON.stringify(msg.error)}`);
      return msg.result as Json;
    } finally {
      clearTimeout(timer);
    }
  }
  try {
    await request("initialize", {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "capture-catalog", version: "1" },
    });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    const tools: unknown[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const r = await request("tools/list", cursor ? { cursor } : {});
      tools.push(...((r.tools as unknown[]) ?? []));
      cursor = typeof r.nextCursor === "string" && r.nextCursor ? r.nextCursor : undefined;
      if (!cursor) break;
    }
    return { server: s.server, package: s.package, version: s.version, tools };
  } catch (e) {
    throw new Error(`${s.server}: ${(e as Error).message}\n--- stderr (tail) ---\n${stderr}`);
  } finally {
    await stop(child);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let dir = "/tmp/catalog-servers";
  let only: string[] | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--dir") dir = argv[++i] ?? dir;
    else if (a === "--only") only = (argv[++i] ?? "").split(",");
    else out = a;
  }
  if (!out) {
    console.error("usage: bun scripts/search/capture-catalog.ts <out-dir> [--dir D] [--only a,b]");
    process.exit(2);
  }
  dir = resolve(dir);
  const servers = SERVERS.filter((s) => !only || only.includes(s.server));
  ensureInstalled(dir, servers);
  mkdirSync(out, { recursive: true });
  const wrap = isolation();
  let failed = 0;
  for (const s of servers) {
    try {
      const cat = await capture(dir, s, wrap);
      const tools = cat.tools as { name: string }[];
      writeFileSync(join(out, `${s.server}.json`), `${JSON.stringify(cat, null, 1)}\n`);
      console.log(`${s.server}\t${s.package}@${s.version}\t${tools.length} tools`);
    } catch (e) {
      failed++;
      console.error(`FAILED ${(e as Error).message}`);
    }
  }
  process.exit(failed ? 1 : 0);
}

if (import.meta.main) await main();
