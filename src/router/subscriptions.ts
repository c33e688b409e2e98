/**
 * Resource subscriptions, keyed by backend process (lane.ts: a server's one, or a per_session
 * server's process of the subscriber's session) and URI: who gets `notifications/resources/updated`
 * (legacy sessions that subscribed, modern listen streams that asked), and when a backend must be
 * told to start or stop watching a URI (its first subscriber comes, its last one leaves).
 */
import type { Lane } from "../backend/lane.ts";
import type { Owner } from "../backend/types.ts";
import type { Params } from "../jsonrpc.ts";

export interface Subscriber {
  /** Whose process of a per_session server watches for it. */
  readonly owner?: Owner;
  notify(method: string, params: Params): void;
}

const key = (server: string, uri: string) => `${server}\u0000${uri}`;

export class Subscriptions {
  private readonly byKey = new Map<string, Set<Subscriber>>();
  /**
   * What each subscriber holds, so leaving drops it all; `shown` is the URI it subscribed by (an
   * alias when two servers list the URI: resource-table.ts), which its updates carry.
   */
  private readonly held = new Map<
    Subscriber,
    Map<string, { server: Lane; uri: string; shown: string }>
  >();

  /** Add `who`; true when it is the first for this server and URI (the backend must be told). */
  add(who: Subscriber, server: Lane, uri: string, shown = uri): boolean {
    const k = key(server.key, uri);
    let subs = this.byKey.get(k);
    if (!subs) {
      subs = new Set();
      this.byKey.set(k, subs);
    }
    subs.add(who);
    let mine = this.held.get(who);
    if (!mine) {
      mine = new Map();
      this.held.set(who, mine);
    }
    mine.set(k, { server, uri, shown });
    return !server.subscribed.has(uri);
  }

  /** Remove `who`; true when nobody is left for this server and URI (the backend may stop). */
  remove(who: Subscriber, server: Lane, uri: string): boolean {
    const k = key(server.key, uri);
    this.held.get(who)?.delete(k);
    const subs = this.byKey.get(k);
    subs?.delete(who);
    if (subs && subs.size > 0) return false;
    this.byKey.delete(k);
    return server.subscribed.has(uri);
  }

  /** `who` is gone: every subscription it held ends; backends nobody else needs stop watching. */
  drop(who: Subscriber): void {
    const mine = this.held.get(who);
    this.held.delete(who);
    for (const { server, uri } of mine?.values() ?? [])
      if (this.remove(who, server, uri)) server.unwatch(uri);
  }

  /**
   * After a reload: a subscription follows its process to the one that now serves its server
   * (and session), which is told to watch the URI (starting it if need be, so no update is
   * lost); the subscriptions of a removed server end.
   */
  retarget(laneOf: (old: Lane, who: Subscriber) => Lane | undefined): void {
    for (const [who, mine] of this.held)
      for (const { server, uri, shown } of [...mine.values()]) {
        const now = laneOf(server, who);
        if (now === server) continue;
        // The old process drains on its own: it is not told to stop watching.
        this.remove(who, server, uri);
        // Keyed anew: a server whose `share` changed has processes of other keys.
        if (now && this.add(who, now, uri, shown)) now.watch(uri);
      }
  }

  /** A backend's resources/updated, to the subscribers of that process (its `key`) and URI. */
  updated(lane: string, params: Params): void {
    const uri = params.uri;
    if (typeof uri !== "string") return;
    const k = key(lane, uri);
    for (const who of this.byKey.get(k) ?? []) {
      const shown = this.held.get(who)?.get(k)?.shown ?? uri;
      who.notify(
        "notifications/resources/updated",
        shown === uri ? params : { ...params, uri: shown },
      );
    }
  }
}
