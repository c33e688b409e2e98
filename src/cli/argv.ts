/**
 * Strict checking of the command line. citty parses leniently (an unknown flag
 * is just another key), so every token is checked here against the args the
 * root and the chosen subcommand declare before citty runs anything.
 */
import type { ArgsDef, CommandDef } from "citty";
import { GatewayError } from "../errors.ts";

/** Flags every command accepts. */
export const globalArgs = {
  "log-level": {
    type: "string",
    valueHint: "error|warn|info|debug",
    description: "How much to log on stderr (also $MCP_GATEWAY_LOG; default info)",
  },
} as const satisfies ArgsDef;

export interface ArgvSummary {
  command?: string;
  help: boolean;
  version: boolean;
  logLevel?: string;
}

export const usageError = (msg: string) => new GatewayError("USAGE", `${msg} (try --help)`);

type Lazy<T> = T | Promise<T> | (() => T | Promise<T>);
const resolveLazy = async <T>(v: Lazy<T>): Promise<T> =>
  typeof v === "function" ? (v as () => T | Promise<T>)() : v;

/** Check `argv` against `root`; throws a USAGE GatewayError for anything not declared. */
export async function checkArgv<T extends ArgsDef>(
  argv: string[],
  root: CommandDef<T>,
): Promise<ArgvSummary> {
  const rootArgs: ArgsDef = await resolveLazy(root.args ?? {});
  const commands = await resolveLazy(root.subCommands ?? {});
  const out: ArgvSummary = { help: false, version: false };
  let defs = rootArgs;
  /** Positional arguments the chosen command still takes (`login <server>`). */
  let positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (a === "--help" || a === "-h") {
      out.help = true;
    } else if (!out.command && (a === "--version" || a === "-v")) {
      out.version = true;
    } else if (a === "--") {
      const extra = argv[i + 1];
      if (extra !== undefined) throw usageError(`unexpected argument "${extra}"`);
    } else if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const inline = eq < 0 ? undefined : a.slice(eq + 1);
      const negated = name.startsWith("no-") && defs[name.slice(3)]?.type === "boolean";
      const def = Object.hasOwn(defs, name)
        ? defs[name]
        : negated
          ? defs[name.slice(3)]
          : undefined;
      if (!def || def.type === "positional") throw usageError(`unknown option --${name}`);
      if (def.type === "boolean") {
        if (inline !== undefined && inline !== "true" && inline !== "false") {
          throw usageError(`option --${name} takes no value`);
        }
        continue;
      }
      const next = argv[i + 1];
      const value = inline ?? (next !== undefined && !next.startsWith("-") ? next : undefined);
      if (inline === undefined && value !== undefined) i++;
      if (!value) throw usageError(`option --${name} needs a value`);
      if (name === "log-level") out.logLevel = value;
    } else if (a.startsWith("-") && a.length > 1) {
      throw usageError(`unknown option ${a}`);
    } else if (!out.command) {
      const sub = Object.hasOwn(commands, a) ? commands[a] : undefined;
      if (!sub) {
        throw usageError(`unknown command "${a}"; expected ${Object.keys(commands).join(", ")}`);
      }
      const cmd: CommandDef = await resolveLazy(sub);
      defs = { ...rootArgs, ...(await resolveLazy(cmd.args ?? {})) };
      positionals = Object.entries(defs)
        .filter(([, d]) => d.type === "positional")
        .map(([k]) => k);
      out.command = a;
    } else if (positionals.length > 0) {
      positionals.shift();
    } else {
      throw usageError(`unexpected argument "${a}"`);
    }
  }
  const missing = positionals.find((k) => defs[k]?.type === "positional" && defs[k].required);
  if (missing && !out.help) throw usageError(`missing <${missing}>`);
  return out;
}

/** A TCP port; 0 asks the system for a free one. */
export function parsePort(value: string, flag = "--port"): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw usageError(`${flag} must be a number from 0 to 65535, got "${value}"`);
  }
  return port;
}
