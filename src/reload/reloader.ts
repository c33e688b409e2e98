/** Runs reloads one at a time: read, check, prepare, swap; keeps the outcome for the status. */
import type { GatewayConfig } from "../config/schema.ts";
import { collectSecrets } from "../config/secrets.ts";
import { errorMessage } from "../errors.ts";
import { addSecrets, log, redact } from "../log.ts";
import type { ConfigStatus } from "../router/config-status.ts";
import type { Prepared } from "./apply.ts";
import { type ConfigDiff, describe, diffConfig, restartKeys } from "./diff.ts";

/** What the reloader needs of the gateway. */
export interface ReloadHost {
  /** The config file reloads read (none: the gateway runs without one). */
  readonly file: string | undefined;
  /** The running config. */
  running(): GatewayConfig;
  /** Read and validate the file again; throws a GatewayError located `file:line:col`. */
  read(): Promise<{ config: GatewayConfig; dir: string }>;
  /** All that can fail (roles, the bind's safety, plugin imports), done before anything changes. */
  prepare(config: GatewayConfig, dir: string, diff: ConfigDiff): Promise<Prepared>;
  /** The swap itself: synchronous, cannot fail. */
  apply(p: Prepared): void;
  /** True once the gateway is closing: reloads stop. */
  closing(): boolean;
}

export interface ReloadOutcome {
  ok: boolean;
  /** The generation running after this reload. */
  generation: number;
  changes: string[];
  restartNeeded: string[];
  /** Why nothing changed (a located config error, a plugin that does not load…). */
  error?: string;
}

const now = () => new Date().toISOString();

export class Reloader {
  private generation = 1;
  private loadedAt = now();
  private last: ConfigStatus["last_reload"] = null;
  private restartNeeded: string[] = [];
  private queued?: Promise<ReloadOutcome>;
  private active: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(o: ReloadOutcome) => void>();
  /** Reloads tried (applied or not), for whoever waits on one (`mcp-gateway reload`). */
  attempts = 0;

  constructor(private readonly host: ReloadHost) {}

  /** Told after every reload, applied or not. */
  onOutcome(listener: (o: ReloadOutcome) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): Omit<ConfigStatus, "draining" | "watching"> {
    return {
      generation: this.generation,
      file: this.host.file ?? null,
      loaded_at: this.loadedAt,
      last_reload: this.last,
      restart_needed: this.restartNeeded,
    };
  }

  /**
   * Reload now, or after the reload in progress. Triggers that come while one waits share it:
   * a burst of them costs one more reload, not one each. Never rejects.
   */
  reload(): Promise<ReloadOutcome> {
    if (this.queued) return this.queued;
    const run = this.active.then(() => {
      this.queued = undefined;
      return this.once();
    });
    this.queued = run;
    this.active = run;
    return run;
  }

  private async once(): Promise<ReloadOutcome> {
    if (this.host.closing()) return this.failed("the gateway is closing", { record: false });
    let prepared: Prepared;
    try {
      const { config, dir } = await this.host.read();
      const running = this.host.running();
      const diff = diffConfig(running, config);
      // Restart-only settings keep their running values, so the next diff still reports them.
      const kept: Record<string, unknown> = { ...config };
      for (const k of restartKeys(config)) delete kept[k];
      for (const k of restartKeys(running)) kept[k] = running[k as keyof GatewayConfig];
      prepared = await this.host.prepare(kept as GatewayConfig, dir, diff);
    } catch (e) {
      return this.failed(redact(errorMessage(e)));
    }
    if (this.host.closing()) return this.failed("the gateway is closing", { record: false });
    const changes = describe(
      prepared.diff,
      prepared.plugins !== undefined && !prepared.diff.plugins,
    );
    const restartNeeded = prepared.diff.restartNeeded;
    addSecrets(collectSecrets(prepared.config));
    try {
      this.host.apply(prepared);
    } catch (e) {
      // A bug, not the config: say so loudly, and keep serving whatever state it left.
      log.error(`config reload: internal error while applying: ${errorMessage(e)}`);
      return this.failed(`internal error while applying: ${errorMessage(e)}`);
    }
    if (changes.length > 0) {
      this.generation++;
      this.loadedAt = now();
    }
    this.restartNeeded = restartNeeded;
    this.attempts++;
    this.last = { at: now(), ok: true, changes };
    log.info(
      changes.length > 0
        ? `config reloaded (generation ${this.generation}): ${changes.join("; ")}`
        : `config reloaded: no changes (generation ${this.generation})`,
    );
    if (restartNeeded.length > 0)
      log.warn(
        `config reload: ${restartNeeded.join(", ")} changed; the new value applies after a restart (the running one stays)`,
      );
    return this.tell({ ok: true, generation: this.generation, changes, restartNeeded });
  }

  private failed(error: string, opts: { record: boolean } = { record: true }): ReloadOutcome {
    const outcome: ReloadOutcome = {
      ok: false,
      generation: this.generation,
      changes: [],
      restartNeeded: this.restartNeeded,
      error,
    };
    if (!opts.record) return outcome;
    this.attempts++;
    this.last = { at: now(), ok: false, error };
    log.error(`config reload failed; still serving generation ${this.generation}: ${error}`);
    return this.tell(outcome);
  }

  private tell(outcome: ReloadOutcome): ReloadOutcome {
    for (const l of this.listeners) {
      try {
        l(outcome);
      } catch (e) {
        log.warn(`after a reload: ${errorMessage(e)}`);
      }
    }
    return outcome;
  }
}
