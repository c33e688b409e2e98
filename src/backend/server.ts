/**
 * One configured MCP server as the router sees it: its schemas (from the cache, then live), and
 * the backend processes that serve its requests (lane.ts, started lazily): one, or with `share:
 * per_session` one per client session (sessions-pool.ts). Lists are the server's, read from
 * whichever process said they changed; a shared server's log level is kept for its restarts.
 */

import { isRemote, type ServerConfig } from "../config/schema.ts";
import { forSession, newSessionValue } from "../config/session-var.ts";
import { GatewayError } from "../errors.ts";
import type { Params, RpcNotification } from "../jsonrpc.ts";
import type { BackendProbe, StopReason } from "../observe/types.ts";
import { emptyLists, type ListKind, type Lists, type ServerInfo } from "../protocol.ts";
import { AuthSlot } from "./auth-slot.ts";
import type { SchemaCache } from "./cache.ts";
import type { Connection, OutcomeHandler } from "./connection.ts";
import type { Instance, Timeouts } from "./instance.ts";
import { Lane, type LaneHost } from "./lane.ts";
import { ListRefresher, type Schemas } from "./refresh.ts";
import { SessionsPool } from "./sessions-pool.ts";
import type {
  Caller,
  Cancel,
  Owner,
  ServerEvents,
  ServerState,
  Target,
  TaskCaller,
} from "./types.ts";

export interface ServerOptions extends Timeouts {
  name: string;
  config: ServerConfig;
  cache: SchemaCache;
  events: ServerEvents;
  /** Where the instance reports starts and stops (metrics). */
  probe?: BackendProbe;
}

const LIST_OF: Record<string, ListKind[]> = {
  "notifications/tools/list_changed": ["tools"],
  "notifications/prompts/list_changed": ["prompts"],
  "notifications/resources/list_changed": ["resources", "resourceTemplates"],
};

export class ServerHandle implements Target, LaneHost {
  readonly name: string;
  readonly schemas: Schemas = {};
  /** The clients' log level, for a shared server's later starts. */
  logLevel?: string;
  /** A shared server's one process; undefined with `share: per_session`. */
  private readonly lane?: Lane;
  /** A per_session server's processes, one per session. */
  readonly sessions?: SessionsPool;
  /** Whichever of the two it has: what the server as a whole shows, and what stops. */
  private readonly backends: Lane | SessionsPool;
  /** The process the lists are read from: the one that started or said they changed last. */
  private listsFrom?: Lane;
  private readonly refresher: ListRefresher;
  private readonly auth: AuthSlot;
  private refreshing?: Promise<ListKind[]>;
  /** Removed or replaced by a reload: its list changes no longer concern anyone. */
  private retired = false;

  constructor(private readonly opts: ServerOptions) {
    this.name = opts.name;
    const cached = opts.cache.read(opts.name, opts.config);
    if (cached) {
      const { tools, prompts, resources, resourceTemplates } = cached;
      this.schemas.lists = { tools, prompts, resources, resourceTemplates };
      this.schemas.info = cached.info;
      this.schemas.source = "cache";
    }
    this.auth = new AuthSlot(opts.name, opts.config, () => opts.startTimeoutMs);
    if (opts.config.share === "per_session")
      this.backends = this.sessions = new SessionsPool(opts.name, opts.config, (o, k) =>
        this.makeLane(o, k),
      );
    else this.backends = this.lane = this.listsFrom = this.makeLane();
    this.refresher = new ListRefresher({
      name: opts.name,
      schemas: this.schemas,
      current: () => this.listsFrom?.live,
      get timeoutMs() {
        return opts.callTimeoutMs;
      },
      save: (info, lists) => opts.cache.write(opts.name, opts.config, info, lists),
      changed: (kinds) => {
        if (!this.retired) opts.events.listsChanged(opts.name, kinds);
      },
    });
  }

  private makeLane(owner?: Owner, key?: string): Lane {
    const o = this.opts;
    const lane = new Lane(
      o.name,
      {
        name: o.name,
        // A session's process has its own ${MCP_GATEWAY_SESSION} (config/session-var.ts).
        config: this.sessions ? forSession(o.config, newSessionValue()) : o.config,
        idleTimeoutMs: o.idleTimeoutMs,
        callTimeoutMs: o.callTimeoutMs,
        startTimeoutMs: o.startTimeoutMs,
        era: () => this.schemas.info?.era,
        auth: () => this.auth.get(),
        // Every process of the server reports under its name: metrics stay one series per server.
        probe: o.probe,
      },
      this,
      owner,
      key,
    );
    // A session's level (set before its process existed) applies at its start.
    lane.logLevel = owner?.session?.logLevel;
    return lane;
  }

  /** Its settings; a reload changes only those that need no restart (prefix, timeouts). */
  get config(): ServerConfig {
    return this.opts.config;
  }

  /**
   * A reload changed settings that need no restart: the prefix (the router's business), timeouts
   * (calls sent from now on, the idle timer) and max_sessions (new sessions).
   */
  retune(config: ServerConfig, timeouts: Timeouts): void {
    Object.assign(this.opts, { config, ...timeouts });
    for (const lane of this.lanes) lane.setTimeouts(timeouts);
    this.sessions?.retune(config);
  }

  /**
   * A relaunched server with no cached schemas of its own starts from its predecessor's lists;
   * its first start reads them live (and its era afresh: the info is not taken).
   */
  inheritLists(from: ServerHandle): void {
    if (this.schemas.lists || !from.lists) return;
    this.schemas.lists = from.lists;
    this.schemas.source = "cache";
  }

  /** A reload removed or replaced it: no new calls; those in flight finish; then it stops. */
  async retire(): Promise<void> {
    this.retired = true;
    await this.backends.retire();
    // A login still waiting for the person belongs to the settings that were replaced.
    this.auth.close();
  }

  /** Its processes: a shared server's one, each session's of a per_session one. */
  get lanes(): Lane[] {
    return this.lane ? [this.lane] : (this.sessions?.all ?? []);
  }

  get kind(): "stdio" | "remote" {
    return isRemote(this.config) ? "remote" : "stdio";
  }
  get info(): ServerInfo | undefined {
    return this.schemas.info;
  }
  get lists(): Lists | undefined {
    return this.schemas.lists;
  }
  get source(): "cache" | "live" | undefined {
    return this.schemas.source;
  }
  // A per_session server as a whole: its most telling state and its totals; no single pid.
  get state(): ServerState {
    return this.backends.state;
  }
  get displayState(): ServerState {
    return this.backends.displayState;
  }
  get running(): boolean {
    return this.backends.running;
  }
  get pid(): number | undefined {
    return this.lane?.pid;
  }
  get inFlight(): number {
    return this.backends.inFlight;
  }
  /** Processes it has now (starting, running or stopping): 0 or 1, or one per session. */
  get processes(): number {
    return this.lanes.filter((l) => l.hasProcess).length;
  }
  get stats(): Instance["stats"] {
    return this.backends.stats;
  }
  get lastError(): string {
    return this.backends.lastError;
  }
  /** A remote server's OAuth login state (undefined: it does not use OAuth). */
  get login(): AuthSlot["status"] {
    return this.auth.status;
  }

  forward(
    method: string,
    params: Params | undefined,
    caller: Caller,
    done: OutcomeHandler,
  ): Cancel {
    if (this.lane) return this.lane.forward(method, params, caller, done);
    const lane = this.bind(caller.owner);
    if (lane instanceof GatewayError) {
      done(lane);
      return () => {};
    }
    return lane.forwardCounted(method, params, caller, done);
  }

  /**
   * The process that serves `owner`: a shared server's one, or the owner's own (made now if it
   * has none), or why it cannot have one (max_sessions; a reload retired the server). Tasks and
   * subscriptions keep the lane, so they stay with the process that made them.
   */
  bind(owner: Owner | undefined): Lane | GatewayError {
    return this.lane ?? (this.sessions as SessionsPool).laneFor(owner);
  }

  /** The process serving `owner`, if it has one already (nothing is made). */
  laneOf(owner: Owner | undefined): Lane | undefined {
    return this.lane ?? this.sessions?.get(owner);
  }

  /** Remember the level (a shared server's later starts); tell the running backend now. */
  setLogLevel(level: string, owner?: Owner): void {
    if (this.lane) this.logLevel = level;
    // A per_session server's process hears its own session's level only.
    const lane = this.laneOf(owner);
    if (!lane) return;
    lane.logLevel = level;
    lane.setLogLevel(level);
  }

  /** A notification for the running backend: a per_session server's, `owner`'s process only. */
  notify(method: string, params?: Params, owner?: Owner): void {
    this.laneOf(owner)?.notify(method, params);
  }

  /**
   * Start (if needed) and wait for the lists: what the placeholder tool, cold calls and `list
   * --refresh` need. A per_session server starts `owner`'s process for it; with no owner, a
   * process of its own, stopped once the lists are read.
   */
  async discover(owner?: Owner): Promise<Lists> {
    if (!this.sessions || owner) {
      const lane = this.bind(owner);
      if (lane instanceof GatewayError) throw lane;
      return this.listsOf(lane);
    }
    if (this.lists && this.source === "live") return this.lists;
    return this.sessions.alone((lane) => this.listsOf(lane));
  }

  private async listsOf(lane: Lane): Promise<Lists> {
    await lane.ensure();
    if (this.refreshing) await this.refreshing;
    return this.lists ?? emptyLists();
  }

  /** `reason` is for the log; `why` is the stop's label in metrics. */
  stop(reason: string, why?: StopReason): Promise<void> {
    return this.backends.stop(reason, why);
  }

  /** The gateway is closing: a login still waiting for the person is given up (its listener closes). */
  async close(): Promise<void> {
    await this.stop("gateway closing");
    this.auth.close();
  }

  /** Re-read the lists from the running backend; update the cache; report what changed. */
  refresh(kinds?: readonly ListKind[], announced = false): Promise<ListKind[]> {
    return this.refresher.refresh(kinds, announced);
  }

  // LaneHost: what its processes report.

  started(lane: Lane, _conn: Connection, info: ServerInfo): void {
    this.schemas.info = info;
    // One discovery is enough: each session's process of a per_session server lists the same;
    // one that says its lists changed is read again.
    if (this.sessions && this.source === "live") return;
    this.listsFrom = lane;
    this.refreshing = this.refresh().finally(() => {
      this.refreshing = undefined;
    });
  }

  /** A shared process's request with no call in flight may go to the only client; a session's to its own. */
  fallbackCaller(lane: Lane): Caller | undefined {
    return this.lane ? this.opts.events.fallbackCaller() : lane.owner?.session;
  }

  taskCaller(lane: Lane, backendTaskId: string): TaskCaller | undefined {
    return this.opts.events.taskCaller?.(lane, backendTaskId);
  }

  notification(lane: Lane, m: RpcNotification): void {
    const kinds = Object.hasOwn(LIST_OF, m.method) ? LIST_OF[m.method] : undefined;
    if (kinds) {
      this.listsFrom = lane;
      void this.refresh(kinds, true);
      return;
    }
    this.opts.events.notification(this.name, m, lane);
  }
}
