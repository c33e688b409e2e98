/**
 * A `share: per_session` server's processes: one lane per client session (README: Per-session
 * backends), made on the session's first request, started by it, stopped when idle or when the
 * session ends. At most `max_sessions` sessions hold one at once: past that a request is refused
 * with an error naming the server and the limit, never served by another session's process.
 */
import type { ServerConfig } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import type { StopReason } from "../observe/types.ts";
import { retiredError } from "./drain.ts";
import type { Lane } from "./lane.ts";
import type { Owner, ServerState } from "./types.ts";

/** max_sessions when the config leaves it out. */
export const DEFAULT_MAX_SESSIONS = 8;

/** The lane that only reads a server's lists (no session asked: tool search, `list --refresh`). */
export const DISCOVERY = "(discovery)";

/** Status states, the most telling first: what a per_session server as a whole shows. */
const RANK: ServerState[] = ["running", "starting", "stopping", "backing off", "failed", "stopped"];

export class SessionsPool {
  private readonly lanes = new Map<string, Lane>();
  /** Calls, errors and starts of lanes whose session ended: the server's totals keep them. */
  private readonly past = { calls: 0, errors: 0, restarts: 0, starts: 0 };
  private retired = false;
  /** max_sessions; a reload may change it (sessions past a lowered limit keep their process). */
  max: number;
  private discovering?: Promise<unknown>;

  constructor(
    private readonly server: string,
    config: ServerConfig,
    private readonly make: (owner: Owner | undefined, key: string) => Lane,
  ) {
    this.max = config.max_sessions ?? DEFAULT_MAX_SESSIONS;
  }

  /** A reload's new settings (only max_sessions concerns the pool). */
  retune(config: ServerConfig): void {
    this.max = config.max_sessions ?? DEFAULT_MAX_SESSIONS;
  }

  /** Every lane (session processes, and the discovery one while it reads): status, stops, reloads. */
  get all(): Lane[] {
    return [...this.lanes.values()];
  }

  /** Sessions holding a process (or about to): what max_sessions counts. */
  get active(): number {
    let n = 0;
    for (const [key, lane] of this.lanes) if (key !== DISCOVERY && lane.active) n++;
    return n;
  }

  /** The lane of `owner`, if it has one already (nothing is made). */
  get(owner: Owner | undefined): Lane | undefined {
    return this.lanes.get(owner?.key ?? DISCOVERY);
  }

  /**
   * The lane of `owner` (made on its first request), or the error refusing it: the server was
   * retired by a reload, or `max_sessions` other sessions hold a process and this one has none.
   * No owner: the discovery lane, which the limit does not count (it stops once lists are read).
   */
  laneFor(owner: Owner | undefined): Lane | GatewayError {
    const key = owner?.key ?? DISCOVERY;
    const lane = this.lanes.get(key);
    if (lane?.active) return lane;
    if (this.retired) return retiredError(this.server);
    if (key !== DISCOVERY && this.active >= this.max)
      return new GatewayError(
        "SESSION_LIMIT",
        `server "${this.server}" runs one process per client session (share: per_session) and ${this.active} sessions hold one, its max_sessions of ${this.max}: this session's request is refused. Close an idle session or raise max_sessions.`,
      );
    if (lane) return lane;
    const made = this.make(owner, key);
    this.lanes.set(key, made);
    // A session that ends takes its process with it (a principal's never ends: idle stops it).
    void owner?.ended?.then(() => this.end(key, "its session ended", "session"));
    return made;
  }

  /** Stop `key`'s process and forget its lane; its totals stay in the server's. */
  async end(key: string, reason: string, why?: StopReason): Promise<void> {
    const lane = this.lanes.get(key);
    if (!lane) return;
    this.lanes.delete(key);
    await lane.stop(reason, why);
    const s = lane.stats;
    this.past.calls += s.calls;
    this.past.errors += s.errors;
    this.past.restarts += s.restarts;
    this.past.starts += s.starts;
  }

  /** Every call, error and start, of the lanes alive and gone. */
  get stats(): { calls: number; errors: number; restarts: number; starts: number } {
    const t = { ...this.past };
    for (const lane of this.lanes.values()) {
      t.calls += lane.stats.calls;
      t.errors += lane.stats.errors;
      t.restarts += lane.stats.restarts;
      t.starts += lane.stats.starts;
    }
    return t;
  }

  /** The most telling state of any lane; "stopped" with none. */
  get state(): ServerState {
    return this.rank((l) => l.state);
  }
  get displayState(): ServerState {
    return this.rank((l) => l.displayState);
  }

  get running(): boolean {
    return this.all.some((l) => l.running);
  }
  get inFlight(): number {
    return this.all.reduce((n, l) => n + l.inFlight, 0);
  }

  /** The last error of a lane that failed, if one did. */
  get lastError(): string {
    for (const lane of this.lanes.values()) {
      const s = lane.displayState;
      if ((s === "failed" || s === "backing off") && lane.lastError) return lane.lastError;
    }
    return "";
  }

  /** A reload removed or replaced the server: no new session; every lane drains, then stops. */
  async retire(): Promise<void> {
    this.retired = true;
    await Promise.all(this.all.map((l) => l.retire()));
  }

  async stop(reason: string, why?: StopReason): Promise<void> {
    await Promise.all(this.all.map((l) => l.stop(reason, why)));
  }

  /**
   * `read` on a process no session owns (the discovery lane), stopped once it is done; callers
   * arriving meanwhile share it.
   */
  alone<T>(read: (lane: Lane) => Promise<T>): Promise<T> {
    this.discovering ??= (async () => {
      const lane = this.laneFor(undefined);
      if (lane instanceof GatewayError) throw lane;
      try {
        return await read(lane);
      } finally {
        this.discovering = undefined;
        await this.end(DISCOVERY, "lists read", "idle");
      }
    })();
    return this.discovering as Promise<T>;
  }

  private rank(of: (l: Lane) => ServerState): ServerState {
    let best = RANK.length - 1;
    for (const lane of this.lanes.values()) best = Math.min(best, RANK.indexOf(of(lane)));
    return RANK[best] ?? "stopped";
  }
}
