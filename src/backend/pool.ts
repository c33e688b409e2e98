import type { GatewayConfig, ServerConfig } from "../config/schema.ts";
import { errorMessage } from "../errors.ts";
import { log } from "../log.ts";
import type { Observer } from "../observe/types.ts";
import type { SchemaCache } from "./cache.ts";
import type { Timeouts } from "./instance.ts";
import { ServerHandle } from "./server.ts";
import type { ServerEvents } from "./types.ts";

/** A server's effective timeouts: its own settings, else the top-level ones. */
export const timeoutsOf = (config: GatewayConfig, s: ServerConfig): Timeouts => ({
  idleTimeoutMs: (s.idle_timeout ?? config.idle_timeout) * 1000,
  callTimeoutMs: (s.call_timeout ?? config.call_timeout) * 1000,
  startTimeoutMs: (s.start_timeout ?? config.start_timeout) * 1000,
});

/**
 * The configured servers, one handle each. Disabled servers get no handle:
 * they are never started and never listed. Nothing is started here. A reload
 * swaps the list; the handles it leaves out drain and stop on their own.
 */
export class Pool {
  private current: ServerHandle[];
  /** Handles a reload left out, finishing their calls before they stop. */
  private readonly retiring = new Set<ServerHandle>();
  private readonly drains = new Set<Promise<void>>();

  constructor(
    config: GatewayConfig,
    private readonly cache: SchemaCache,
    private readonly events: ServerEvents,
    private readonly observe?: Pick<Observer, "backend">,
  ) {
    this.current = Object.entries(config.servers)
      .filter(([, s]) => s.enabled)
      .map(([name, s]) => this.create(name, s, config));
  }

  get handles(): readonly ServerHandle[] {
    return this.current;
  }

  /** Handles a reload left out that have not stopped yet. */
  get draining(): ServerHandle[] {
    return [...this.retiring];
  }

  /** A new handle for `name` (not yet in the list): nothing runs until a request needs it. */
  create(name: string, s: ServerConfig, config: GatewayConfig): ServerHandle {
    return new ServerHandle({
      name,
      config: s,
      ...timeoutsOf(config, s),
      cache: this.cache,
      events: this.events,
      probe: this.observe?.backend(name),
    });
  }

  get(name: string): ServerHandle | undefined {
    return this.current.find((h) => h.name === name);
  }

  /**
   * The reload's list of servers. Each handle of the old list that is not in the new one takes
   * no new calls, finishes those in flight (up to its call_timeout) and stops, in the background.
   */
  swap(next: ServerHandle[]): ServerHandle[] {
    const kept = new Set(next);
    const left = this.current.filter((h) => !kept.has(h));
    this.current = next;
    for (const h of left) {
      this.retiring.add(h);
      const drain = h
        .retire()
        .catch((e: unknown) => log.warn(`server "${h.name}": while draining: ${errorMessage(e)}`))
        .finally(() => {
          this.retiring.delete(h);
          this.drains.delete(drain);
        });
      this.drains.add(drain);
    }
    return left;
  }

  /** Resolves once every handle a reload left out has stopped. */
  async drained(): Promise<void> {
    while (this.drains.size > 0) await Promise.all([...this.drains]);
  }

  /** Stop every backend the same way as an idle stop, all at once (draining ones too). */
  async stopAll(reason: string): Promise<void> {
    await Promise.all([...this.current, ...this.retiring].map((h) => h.stop(reason)));
  }

  /** Stop every backend and give up the logins waiting for a person: the gateway is closing. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.current, ...this.retiring].map((h) => h.close()));
  }
}
