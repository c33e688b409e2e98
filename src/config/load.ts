/**
 * Config file → validated GatewayConfig. Every error is a GatewayError("CONFIG")
 * of the form `<file>:<line>:<col>: <key.path>: <what is wrong>`.
 */
import { stat } from "node:fs/promises";
import { dirname, extname, isAbsolute, join, resolve } from "node:path";
import {
  type Document,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
} from "yaml";
import { GatewayError } from "../errors.ts";
import { log } from "../log.ts";
import { type Env, ExpandError, expandTree, type KeyPath } from "./expand.ts";
import { type ConfigProblem, configProblems, formatKeyPath } from "./issues.ts";
import { findJsonSyntaxError } from "./json-syntax.ts";
import {
  fromMcpServers,
  isMcpServersFile,
  McpServersFileSchema,
  toMcpServersPath,
} from "./mcp-servers.ts";
import { ConfigSchema, emptyConfig, type GatewayConfig, isRemote } from "./schema.ts";

export interface LoadConfigOptions {
  /** `--config`; relative to cwd. */
  file?: string;
  cwd?: string;
  env?: Env;
}

export interface LoadedConfig {
  config: GatewayConfig;
  /** Absolute path of the file read, if any. */
  file?: string;
  /** Folder relative paths were resolved against: the file's, or cwd. */
  dir: string;
}

export const DEFAULT_FILES = ["gateway.yaml", "mcp-gateway.yaml"];

const configError = (msg: string) => new GatewayError("CONFIG", msg);

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

/** --config > $MCP_GATEWAY_CONFIG > ./gateway.yaml > ./mcp-gateway.yaml. */
async function discover(cwd: string, flag: string | undefined, env: Env) {
  const named = flag
    ? { path: flag, from: "--config" }
    : env.MCP_GATEWAY_CONFIG
      ? { path: env.MCP_GATEWAY_CONFIG, from: "MCP_GATEWAY_CONFIG" }
      : undefined;
  if (named) {
    const path = resolve(cwd, named.path);
    const st = await stat(path).catch(() => undefined);
    if (!st) throw configError(`${path}: config file not found (from ${named.from})`);
    if (!st.isFile()) throw configError(`${path}: not a file (from ${named.from})`);
    return path;
  }
  for (const name of DEFAULT_FILES) {
    const path = join(cwd, name);
    if (await isFile(path)) return path;
  }
  return undefined;
}

/** The config file `loadConfig` would read (same discovery), or undefined when none is found. */
export function findConfigFile(opts: LoadConfigOptions = {}): Promise<string | undefined> {
  return discover(resolve(opts.cwd ?? process.cwd()), opts.file, opts.env ?? process.env);
}

export async function loadConfig(opts: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const env = opts.env ?? process.env;
  const file = await discover(cwd, opts.file, env);
  if (!file) {
    log.warn(
      `no config file found (looked for ${DEFAULT_FILES.join(", ")} in ${cwd}); only built-in tools run`,
    );
    return { config: emptyConfig(), dir: cwd };
  }
  let text: string;
  try {
    text = await Bun.file(file).text();
  } catch (e) {
    throw configError(`${file}: cannot read: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { config: parseConfig(text, file, env), file, dir: dirname(file) };
}

/** Parse and validate the text of a config file; `file` names it in errors and anchors relative paths. */
export function parseConfig(text: string, file: string, env: Env = process.env): GatewayConfig {
  const source = text.replace(/^\uFEFF/, "");
  const isJson = extname(file).toLowerCase() === ".json";
  const lines = new LineCounter();
  const where = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (isJson) rejectBadJson(source, file);
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, merge: true });
  const bad = doc.errors[0];
  if (bad)
    throw configError(`${where(bad.pos[0])}: invalid ${isJson ? "JSON" : "YAML"}: ${bad.message}`);

  const fail = (p: ConfigProblem) => {
    const path = formatKeyPath(p.path);
    return configError(
      `${where(offsetOf(doc, p.path, p.at))}: ${path ? `${path}: ` : ""}${p.message}`,
    );
  };
  const first = (problems: ConfigProblem[]) => {
    const sorted = problems
      .map((p) => ({ p, at: offsetOf(doc, p.path, p.at) }))
      .sort((a, b) => a.at - b.at);
    return fail(sorted[0]?.p ?? { path: [], at: "value", message: "invalid config" });
  };

  const raw: unknown = doc.toJS() ?? {};
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    const got = Array.isArray(raw) ? "a list" : `a ${typeof raw}`;
    throw fail({ path: [], at: "value", message: `expected a mapping of settings, got ${got}` });
  }
  let data: unknown;
  try {
    data = expandTree(raw, env);
  } catch (e) {
    if (e instanceof ExpandError) throw fail({ path: e.path, at: "value", message: e.message });
    throw e;
  }

  let input = data;
  let filePath = (p: KeyPath) => p;
  if (isJson && isMcpServersFile(data)) {
    const r = McpServersFileSchema.safeParse(data);
    if (!r.success) throw first(configProblems(r.error.issues, McpServersFileSchema, data));
    input = fromMcpServers(r.data);
    filePath = toMcpServersPath;
  } else if (isJson) {
    const keys = Object.keys(raw);
    if (keys.length > 0 && !keys.some((k) => k in ConfigSchema.shape)) {
      throw fail({
        path: [],
        at: "value",
        message: `neither a gateway config (servers, plugins, roles, …) nor a {"mcpServers": {…}} file; found keys ${keys.join(", ")}`,
      });
    }
  }
  const r = ConfigSchema.safeParse(input);
  if (!r.success) {
    const problems = configProblems(r.error.issues, ConfigSchema, input);
    throw first(problems.map((p) => ({ ...p, path: filePath(p.path) })));
  }
  const config = r.data;
  const roles = Object.keys(config.roles);
  for (const [i, t] of (config.auth?.tokens ?? []).entries()) {
    if (Object.hasOwn(config.roles, t.role)) continue;
    const known = roles.length ? `defined roles: ${roles.join(", ")}` : "no roles are defined";
    throw fail({
      path: ["auth", "tokens", i, "role"],
      at: "value",
      message: `unknown role "${t.role}"; ${known}`,
    });
  }
  return resolvePaths(config, dirname(file));
}

function rejectBadJson(source: string, file: string): void {
  try {
    JSON.parse(source);
  } catch {
    const e = findJsonSyntaxError(source) ?? { offset: 0, reason: "not valid JSON" };
    const before = source.slice(0, e.offset).split("\n");
    const line = before.length;
    const col = (before.at(-1)?.length ?? 0) + 1;
    throw configError(`${file}:${line}:${col}: invalid JSON: ${e.reason}`);
  }
}

/** Source offset of the key or value at `path`; the nearest existing ancestor when it is missing. */
function offsetOf(doc: Document, path: KeyPath, at: "key" | "value"): number {
  const start = (n: unknown) => (isNode(n) && n.range ? n.range[0] : undefined);
  let node: unknown = doc.contents;
  let offset = start(node) ?? 0;
  for (const [i, seg] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    let key: unknown;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg),
      );
      if (!pair) return offset;
      key = pair.key;
      next = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      next = node.items[seg];
    } else {
      return offset;
    }
    const last = i === path.length - 1;
    offset = start(last && at === "key" && key ? key : (next ?? key)) ?? offset;
    node = next;
  }
  return offset;
}

/** Plugin `module`s that are paths (not package names) and `cwd`s, made absolute. */
const PATH_LIKE = /^[./\\]|\.(?:[cm]?[jt]s|[jt]sx)$/;

function resolvePaths(config: GatewayConfig, dir: string): GatewayConfig {
  for (const s of Object.values(config.servers)) {
    if (!isRemote(s) && s.cwd !== undefined) s.cwd = resolve(dir, s.cwd);
  }
  for (const p of config.plugins) {
    if (PATH_LIKE.test(p.module) || isAbsolute(p.module)) p.module = resolve(dir, p.module);
  }
  return config;
}
