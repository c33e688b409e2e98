/** Everything about a new config that can fail, done before anything running changes. */
import { PluginHost } from "../backend/plugin.ts";
import { loadPlugins, PluginFiles } from "../backend/plugin-loader.ts";
import type { GatewayConfig } from "../config/schema.ts";
import { errorMessage, GatewayError } from "../errors.ts";
import { isLoopback } from "../front/security.ts";
import type { GatewayTool } from "../plugin.ts";
import { Settings } from "../router/settings.ts";
import type { Prepared } from "./apply.ts";
import type { ConfigDiff } from "./diff.ts";

/** What runs now, that the new config is checked against. */
export interface Running {
  /** The role name given at start (--role): the new config must still define it. */
  startRole: string | undefined;
  settings: Settings;
  /** Where the gateway listens over HTTP: a public address keeps needing tokens. */
  binds: readonly { host: string; insecure: boolean }[];
  plugins: PluginHost;
  pluginFiles: PluginFiles;
  /** Tools given to registerTool, which every new plugin host gets first. */
  registered: readonly { tool: GatewayTool; name: string }[];
  /** The values `import … from "mcp-gateway"` gives a plugin. */
  api: Record<string, unknown>;
}

export async function prepare(
  run: Running,
  config: GatewayConfig,
  dir: string,
  diff: ConfigDiff,
): Promise<Prepared> {
  let settings: Settings;
  try {
    settings = new Settings(config, run.startRole, run.settings);
  } catch (e) {
    throw new GatewayError("CONFIG", `the role given at start: ${errorMessage(e)}`);
  }
  if (settings.tokens.length === 0)
    for (const b of run.binds)
      if (!isLoopback(b.host) && !b.insecure)
        throw new GatewayError(
          "CONFIG",
          `the config has no auth.tokens, and the gateway serves on ${b.host} (not loopback): refused (restart with --insecure to allow that)`,
        );
  const prepared: Prepared = { config, dir, diff, settings, currentPlugins: run.plugins };
  const filesChanged = run.pluginFiles.changed();
  if (!diff.plugins && !filesChanged) return prepared;
  const host = new PluginHost();
  for (const r of run.registered) host.register(r.tool, r.name);
  const files = new PluginFiles();
  // An edited plugin is imported afresh from disk, every other plugin module with it (a helper two
  // plugins share must not stay old in one of them); unchanged, a module comes from Bun's cache.
  if (filesChanged) run.pluginFiles.evict();
  else files.inherit(run.pluginFiles);
  try {
    await loadPlugins(
      host,
      config.plugins.map((p) => p.module),
      dir,
      run.api,
      files,
    );
  } catch (e) {
    // What this attempt loaded must not be served from the cache to the next one.
    files.evict();
    throw e;
  }
  prepared.plugins = { host, files };
  return prepared;
}
