import type { GatewayConfig } from "../config/schema.ts";
import type { SchemaCache } from "./cache.ts";
import { ServerHandle } from "./server.ts";
import type { ServerEvents } from "./types.ts";

/**
 * The configured servers, one handle each. Disabled servers get no handle:
 * they are never started and never listed. Nothing is started here.
 */
export class Pool {
  readonly handles: ServerHandle[];

  constructor(config: GatewayConfig, cache: SchemaCache, events: ServerEvents) {
    this.handles = Object.entries(config.servers)
      .filter(([, s]) => s.enabled)
      .map(
        ([name, s]) =>
          new ServerHandle({
            name,
            config: s,
            idleTimeoutMs: (s.idle_timeout ?? config.idle_timeout) * 1000,
            callTimeoutMs: (s.call_timeout ?? config.call_timeout) * 1000,
            startTimeoutMs: (s.start_timeout ?? config.start_timeout) * 1000,
            cache,
            events,
          }),
      );
  }

  get(name: string): ServerHandle | undefined {
    return this.handles.find((h) => h.name === name);
  }

  /** Stop every backend the same way as an idle stop, all at once. */
  async stopAll(reason: string): Promise<void> {
    await Promise.all(this.handles.map((h) => h.stop(reason)));
  }

  /** Stop every backend and give up the logins waiting for a person: the gateway is closing. */
  async closeAll(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.close()));
  }
}
