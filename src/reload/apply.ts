/** The one synchronous step of a reload: new servers, plugins and settings swapped in together. */
import type { PluginHost } from "../backend/plugin.ts";
import type { PluginFiles } from "../backend/plugin-loader.ts";
import { type Pool, timeoutsOf } from "../backend/pool.ts";
import type { ServerHandle } from "../backend/server.ts";
import type { GatewayConfig } from "../config/schema.ts";
import type { LocalTool, ServerEntry } from "../router/catalog.ts";
import type { Router } from "../router/router.ts";
import type { Settings } from "../router/settings.ts";
import type { ConfigDiff } from "./diff.ts";

/** What the gateway runs that a reload changes. */
export interface Core {
  readonly pool: Pool;
  readonly router: Router;
  /** The local tools as `config` says: built-ins, then the tools of `plugins`. */
  localTools(plugins: PluginHost, config: GatewayConfig): LocalTool[];
}

/** A new config with everything that could fail already done: nothing is left to fail. */
export interface Prepared {
  config: GatewayConfig;
  dir: string;
  diff: ConfigDiff;
  settings: Settings;
  /** New plugin modules, when the list or a plugin file changed; else the running ones stay. */
  plugins?: { host: PluginHost; files: PluginFiles };
  /** The running plugin host, kept when `plugins` is unset. */
  currentPlugins: PluginHost;
}

/**
 * Apply `p` over `running`. Unchanged servers keep their handle (and process); retuned ones
 * take their new prefix and timeouts in place; added and relaunched ones get a new handle,
 * started on first use. The pool drains the handles left out; the router swaps servers, local
 * tools and settings in one step and tells clients what changed for them.
 */
export function apply(core: Core, running: GatewayConfig, p: Prepared): void {
  const relaunch = new Set(p.diff.relaunched);
  const retune = new Set(p.diff.retuned);
  const handles: ServerHandle[] = [];
  const entries: ServerEntry[] = [];
  for (const [name, s] of Object.entries(p.config.servers)) {
    if (!s.enabled) continue;
    const old = running.servers[name]?.enabled ? core.pool.get(name) : undefined;
    let handle: ServerHandle;
    if (old && !relaunch.has(name)) {
      handle = old;
      if (retune.has(name)) handle.retune(s, timeoutsOf(p.config, s));
    } else {
      handle = core.pool.create(name, s, p.config);
      // Clients' log level carries over to the new process, as across a restart.
      if (old?.logLevel) handle.logLevel = old.logLevel;
      // Its tools stay listed until the new process says otherwise (then clients hear it):
      // a changed setting must not make a server's tools vanish from every client's list.
      if (old) handle.inheritLists(old);
    }
    handles.push(handle);
    entries.push({ handle, prefix: s.prefix ?? name });
  }
  core.pool.swap(handles);
  core.router.configure({
    servers: entries,
    local: core.localTools(p.plugins?.host ?? p.currentPlugins, p.config),
    settings: p.settings,
  });
}
