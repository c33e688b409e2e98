/** A reload as a diff of two validated configs: what to start, drain, retune, swap or leave. */
import type { GatewayConfig, ServerConfig } from "../config/schema.ts";

/**
 * Server keys a reload applies without a restart; every other key is a launch setting (`share`
 * too: a shared process and per-session ones cannot be turned into each other in place).
 */
const LIVE_KEYS = new Set([
  "enabled",
  "prefix",
  "idle_timeout",
  "call_timeout",
  "start_timeout",
  "max_sessions",
]);

/**
 * Top-level keys a reload applies. Any other key (`http`, read once when the HTTP front starts,
 * and any block added to the schema later without being wired here) is reported as needing a
 * restart and keeps its running value: a reload never claims to apply what it does not.
 */
const APPLIED_KEYS = new Set([
  "$schema",
  "idle_timeout",
  "call_timeout",
  "start_timeout",
  "servers",
  "plugins",
  "roles",
  "auth",
  "tool_search",
]);

/** The top-level keys of `c` whose values only a restart applies. */
export const restartKeys = (c: GatewayConfig): string[] =>
  Object.keys(c).filter((k) => !APPLIED_KEYS.has(k));

export interface ConfigDiff {
  /** Enabled now and not before (new, or `enabled: true` again). */
  added: string[];
  /** Enabled before and not now (gone, or `enabled: false`): drained, then stopped. */
  removed: string[];
  /**
   * A launch setting changed (command, args, env, cwd, url, headers, transport…): drained, then
   * started anew on next use.
   */
  relaunched: string[];
  /**
   * Only the prefix, a timeout (its own, or the top-level one it takes) or max_sessions changed:
   * in place.
   */
  retuned: string[];
  /** The servers' order changed: it decides which of two equal names wins, and the list order. */
  reordered: boolean;
  roles: boolean;
  auth: boolean;
  /** tool_search changed: swapped with the roles (found tools stay with their sessions). */
  toolSearch: boolean;
  /** The plugin list changed (plugin files changed on disk are found apart from this). */
  plugins: boolean;
  /** Key paths whose new values need a restart; the running values stay. */
  restartNeeded: string[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** What starting the server depends on: its settings without those a reload applies in place. */
export function launchKey(s: ServerConfig): string {
  // `share: shared` written out is the default left out: no relaunch for it.
  const launch = Object.entries(s).filter(
    ([k, v]) => !LIVE_KEYS.has(k) && !(k === "share" && v === "shared"),
  );
  return JSON.stringify(launch.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The values of a server that a reload applies in place, with the top-level defaults resolved. */
const liveKey = (name: string, s: ServerConfig, c: GatewayConfig): string =>
  JSON.stringify([
    s.prefix ?? name,
    s.idle_timeout ?? c.idle_timeout,
    s.call_timeout ?? c.call_timeout,
    s.start_timeout ?? c.start_timeout,
    s.max_sessions,
  ]);

const enabledIn = (c: GatewayConfig): Map<string, ServerConfig> =>
  new Map(Object.entries(c.servers).filter(([, s]) => s.enabled));

/** Key paths under `key` whose values differ ("http.max_body_bytes"); `key` if not a mapping. */
function changedPaths(key: string, a: unknown, b: unknown): string[] {
  if (same(a, b)) return [];
  const isMap = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isMap(a) || !isMap(b)) return [key];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => !same(a[k], b[k])).map((k) => `${key}.${k}`);
}

export function diffConfig(running: GatewayConfig, next: GatewayConfig): ConfigDiff {
  const before = enabledIn(running);
  const after = enabledIn(next);
  const diff: ConfigDiff = {
    added: [],
    removed: [],
    relaunched: [],
    retuned: [],
    reordered: false,
    roles: !same(running.roles, next.roles),
    auth: !same(running.auth, next.auth),
    toolSearch: !same(running.tool_search, next.tool_search),
    plugins: !same(running.plugins, next.plugins),
    restartNeeded: [...new Set([...restartKeys(running), ...restartKeys(next)])]
      .sort()
      .flatMap((k) =>
        changedPaths(k, running[k as keyof GatewayConfig], next[k as keyof GatewayConfig]),
      ),
  };
  for (const [name, s] of after) {
    const old = before.get(name);
    if (!old) diff.added.push(name);
    else if (launchKey(old) !== launchKey(s)) diff.relaunched.push(name);
    else if (liveKey(name, old, running) !== liveKey(name, s, next)) diff.retuned.push(name);
  }
  for (const name of before.keys()) if (!after.has(name)) diff.removed.push(name);
  const kept = (names: Iterable<string>, other: Map<string, ServerConfig>) =>
    [...names].filter((n) => other.has(n));
  diff.reordered = !same(kept(before.keys(), after), kept(after.keys(), before));
  return diff;
}

/** One line per kind of change, for the log and the status. */
export function describe(diff: ConfigDiff, pluginFiles: boolean): string[] {
  const out: string[] = [];
  const list = (what: string, names: string[]) => {
    if (names.length > 0) out.push(`${what}: ${names.join(", ")}`);
  };
  list("servers added", diff.added);
  list("servers removed", diff.removed);
  list("servers relaunched", diff.relaunched);
  list("servers retuned", diff.retuned);
  if (diff.reordered) out.push("servers reordered");
  if (diff.roles) out.push("roles changed");
  if (diff.auth) out.push("auth tokens changed");
  if (diff.toolSearch) out.push("tool search changed");
  if (diff.plugins || pluginFiles) out.push("plugins reloaded");
  return out;
}
