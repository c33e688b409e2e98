import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, extname, isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { errorMessage, GatewayError } from "../errors.ts";
import { log } from "../log.ts";
import { exposedName } from "../names.ts";
import { isTool, madeHere } from "../plugin.ts";
import type { PluginHost } from "./plugin.ts";
import { installPluginRuntime } from "./plugin-runtime.ts";

/** The same rule loadConfig uses: a path (relative to the config folder), else a package name. */
const PATH_LIKE = /^[./\\]|\.(?:[cm]?[jt]s|[jt]sx)$/;

const fail = (spec: string, reason: string) =>
  new GatewayError("PLUGIN", `plugin ${spec}: ${reason}`);

/** Where Bun says a syntax error is (it keeps the position out of the message). */
interface Position {
  file?: string;
  line?: number;
  column?: number;
}

/** One line saying why an import failed; a syntax error names its file, line and column. */
export function loadFailure(e: unknown): string {
  const pos = (e as { position?: Position | null } | null)?.position;
  const message = errorMessage(e).replace(/\s*\n\s*/g, " ");
  if (e instanceof Error && e.name === "BuildMessage" && pos?.line)
    return `syntax error at ${pos.file ?? "?"}:${pos.line}:${pos.column ?? 0}: ${message}`;
  return message;
}

/** The absolute file a plugin entry names: a path relative to `dir`, or a package resolved from it. */
function locate(spec: string, dir: string): string {
  if (isAbsolute(spec) || PATH_LIKE.test(spec)) {
    const file = resolve(dir, spec);
    if (!existsSync(file)) throw fail(spec, `file not found: ${file}`);
    if (statSync(file).isDirectory()) throw fail(spec, `${file} is a folder, not a module`);
    return file;
  }
  try {
    return Bun.resolveSync(spec, dir);
  } catch (e) {
    throw fail(spec, `cannot resolve package "${spec}" from ${dir}: ${errorMessage(e)}`);
  }
}

/** A `default` export has no name of its own: the file's (or package's) base name stands in. */
const defaultName = (spec: string): string => {
  const base = basename(spec);
  return base.slice(0, base.length - extname(base).length) || base;
};

/** Modules of packages: not the user's own files, not reloaded. */
const IN_PACKAGE = /[\\/]node_modules[\\/]/;

const contentOf = (file: string): string => {
  try {
    return String(Bun.hash(readFileSync(file)));
  } catch {
    return "missing";
  }
};

/**
 * The files plugin modules were loaded from (each module and the local files it imported), with
 * what they held then: a reload tells from them whether a plugin changed on disk, and evicts them
 * from Bun's module cache so the next import evaluates them afresh. Evicting (not a cache-busting
 * query on the import URL) lets the old module be freed once no handler of it runs: a query would
 * keep every version in memory for good.
 */
export class PluginFiles {
  private readonly files = new Map<string, string>();

  /** Record `file` as loaded now. */
  add(file: string): void {
    this.files.set(file, contentOf(file));
  }

  /** Keep `older`'s files too (modules imported again from Bun's cache record only themselves). */
  inherit(older: PluginFiles): void {
    for (const [file, was] of older.files) if (!this.files.has(file)) this.files.set(file, was);
  }

  list(): string[] {
    return [...this.files.keys()];
  }

  /** Whether any file differs from when it was loaded (edited, or removed). */
  changed(): boolean {
    for (const [file, was] of this.files) if (contentOf(file) !== was) return true;
    return false;
  }

  /** Forget these modules in Bun's cache: the next import of each evaluates it again. */
  evict(): void {
    for (const file of this.files.keys()) delete require.cache[file];
  }
}

/**
 * Import each plugin module and register every exported tool() on `host`, named after
 * its export unless it has a `name`. A module that cannot be loaded, or exports no tool,
 * is a GatewayError("PLUGIN") naming the module and why (the CLI: one line, exit 2).
 * `files` (for reloads) gets each module's file and the local files it imported.
 */
export async function loadPlugins(
  host: PluginHost,
  modules: readonly string[],
  dir: string,
  api: Record<string, unknown>,
  files: PluginFiles = new PluginFiles(),
): Promise<void> {
  if (modules.length === 0) return;
  await installPluginRuntime(api);
  for (const spec of modules) {
    const file = locate(spec, dir);
    let mod: Record<string, unknown>;
    const had = new Set(Object.keys(require.cache));
    try {
      mod = await import(pathToFileURL(file).href);
    } catch (e) {
      throw fail(spec, `cannot load: ${loadFailure(e)}`);
    } finally {
      // Recorded even after a failure: a reload must evict a half-loaded module too.
      files.add(file);
      for (const key of Object.keys(require.cache))
        if (!had.has(key) && isAbsolute(key) && !IN_PACKAGE.test(key)) files.add(key);
    }
    let found = 0;
    for (const [exportName, value] of Object.entries(mod)) {
      if (!isTool(value)) continue;
      found++;
      const wanted = value.name ?? (exportName === "default" ? defaultName(spec) : exportName);
      const name = exposedName("", wanted);
      if (name !== wanted)
        log.warn(
          `plugin ${spec}: tool name "${wanted}" is not valid for clients; exposed as "${name}"`,
        );
      if (!madeHere(value))
        log.warn(
          `plugin ${spec}: tool "${name}" was made by another copy of mcp-gateway; import { tool, z } from "mcp-gateway" (not a path) so it shares the gateway's zod`,
        );
      const taken = host.register(value, name, spec);
      if (taken)
        log.warn(
          `plugin ${spec}: tool "${name}" is already defined by ${taken}; this one is dropped`,
        );
    }
    if (found === 0)
      throw fail(
        spec,
        `exports no tool (write \`export const name = tool({ description, input }, handler)\`; exports found: ${Object.keys(mod).join(", ") || "none"})`,
      );
    log.debug(`plugin ${spec}: ${found} tool(s) from ${file}`);
  }
}
