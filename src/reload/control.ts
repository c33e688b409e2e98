/** A gateway's reloads: the reloader wired to what the gateway runs, and the file watcher. */
import type { PluginHost } from "../backend/plugin.ts";
import type { PluginFiles } from "../backend/plugin-loader.ts";
import { loadConfig } from "../config/load.ts";
import type { GatewayConfig } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import type { GatewayTool } from "../plugin.ts";
import type { ConfigStatus } from "../router/config-status.ts";
import { apply, type Core } from "./apply.ts";
import { prepare } from "./prepare.ts";
import { Reloader, type ReloadOutcome } from "./reloader.ts";
import { ConfigWatcher } from "./watch.ts";

/** What a reload replaces in the gateway, kept in one object the gateway reads through. */
export interface Live {
  config: GatewayConfig;
  /** Folder that relative paths in the config are relative to. */
  dir: string;
  plugins: PluginHost;
  pluginFiles: PluginFiles;
}

export interface ControlHost extends Core {
  readonly live: Live;
  /** The config file (none: nothing to reload or watch). */
  readonly file: string | undefined;
  readonly startRole: string | undefined;
  readonly binds: readonly { host: string; insecure: boolean }[];
  readonly registered: readonly { tool: GatewayTool; name: string }[];
  api(): Record<string, unknown>;
  /** The first plugin load: a reload waits for it. */
  readonly ready: Promise<void>;
  closing(): boolean;
}

export class ReloadControl {
  private readonly reloader: Reloader;
  private watcher?: ConfigWatcher;

  constructor(private readonly host: ControlHost) {
    const { live } = host;
    this.reloader = new Reloader({
      file: host.file,
      running: () => live.config,
      read: async () => {
        if (!host.file) throw new GatewayError("CONFIG", "the gateway was not started from a file");
        // An editor that truncates before it writes must not make every server go for a moment.
        const text = await Bun.file(host.file)
          .text()
          .catch(() => undefined);
        if (text !== undefined && text.trim() === "")
          throw new GatewayError(
            "CONFIG",
            `${host.file}: the file is empty; not applied (for a config with nothing in it, write {})`,
          );
        const { config, dir } = await loadConfig({ file: host.file });
        return { config, dir };
      },
      prepare: (config, dir, diff) =>
        prepare(
          {
            startRole: host.startRole,
            settings: host.router.settings,
            binds: host.binds,
            plugins: live.plugins,
            pluginFiles: live.pluginFiles,
            registered: host.registered,
            api: host.api(),
          },
          config,
          dir,
          diff,
        ),
      apply: (p) => {
        apply(host, live.config, p);
        live.config = p.config;
        live.dir = p.dir;
        if (p.plugins) {
          live.plugins = p.plugins.host;
          live.pluginFiles = p.plugins.files;
        }
      },
      closing: () => host.closing(),
    });
  }

  get attempts(): number {
    return this.reloader.attempts;
  }

  status(): ConfigStatus {
    const draining = this.host.pool.draining.map((h) => ({
      name: h.name,
      pid: h.pid ?? null,
      in_flight: h.inFlight,
    }));
    return { ...this.reloader.status(), watching: this.watcher !== undefined, draining };
  }

  onOutcome(listener: (o: ReloadOutcome) => void): () => void {
    return this.reloader.onOutcome(listener);
  }

  async reload(): Promise<ReloadOutcome> {
    await this.host.ready.catch(() => {});
    const outcome = await this.reloader.reload();
    // The plugin list (and so the files to watch) may have changed.
    this.watcher?.watchFiles(this.watched());
    return outcome;
  }

  watch(): void {
    if (this.watcher || !this.host.file || this.host.closing()) return;
    this.watcher = new ConfigWatcher(() => void this.reload());
    this.watcher.watchFiles(this.watched());
    // The plugin files are known once the first load is done.
    void this.host.ready.then(
      () => this.watcher?.watchFiles(this.watched()),
      () => {},
    );
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private watched(): string[] {
    const { file, live } = this.host;
    return file ? [file, ...live.pluginFiles.list()] : [];
  }
}
