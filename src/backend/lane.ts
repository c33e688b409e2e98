/**
 * One backend process (or remote connection) of a configured server, with what lives and dies
 * with it: its Instance (start, stop, idle, backoff, calls, relay), the resource URIs watched
 * there, a modern backend's listen stream, and the tasks holding it up. A shared server has one
 * lane; a `share: per_session` server one per client session (sessions-pool.ts).
 */
import { isRemote } from "../config/schema.ts";
import { callHeaders } from "../era/headers.ts";
import { SUBSCRIPTION_ID_META_KEY } from "../era/keys.ts";
import { errorMessage } from "../errors.ts";
import type { Params, RpcNotification } from "../jsonrpc.ts";
import { log } from "../log.ts";
import type { StopReason } from "../observe/types.ts";
import type { Lists, ServerInfo } from "../protocol.ts";
import { ok } from "../replies.ts";
import type { Connection, OutcomeHandler } from "./connection.ts";
import { Instance, type InstanceOptions, type Timeouts } from "./instance.ts";
import { BackendListen } from "./listen.ts";
import type { Caller, Cancel, Owner, ServerState, Source, TaskCaller } from "./types.ts";

/** What a lane needs of its server (server.ts). */
export interface LaneHost {
  readonly info: ServerInfo | undefined;
  readonly lists: Lists | undefined;
  /** The server's log level, when a shared lane starts (a session's lane takes its session's). */
  readonly logLevel?: string;
  /** Initialized: the server reads its lists from it when it must. */
  started(lane: Lane, conn: Connection, info: ServerInfo): void;
  notification(lane: Lane, m: RpcNotification): void;
  /** Where a request of the backend goes with no call in flight. */
  fallbackCaller(lane: Lane): Caller | undefined;
  taskCaller(lane: Lane, backendTaskId: string): TaskCaller | undefined;
}

/** Separates the server name from the owner in a per_session lane's key (no name holds it). */
const SEP = " \u0000";

export class Lane implements Source {
  /** The server's name for a shared lane; with the owner's key for a per_session one. */
  readonly key: string;
  /** Resource URIs subscribed at the backend, renewed after a restart. */
  readonly subscribed = new Set<string>();
  /** The level a client set for this lane's process (per_session); a shared lane takes the server's. */
  logLevel?: string;
  private readonly instance: Instance;
  private readonly listen: BackendListen;
  /** Unfinished tasks the gateway mapped here: the backend is not stopped for idleness meanwhile. */
  private tasks = 0;
  /** Requests sent and not yet answered, counted from the moment they arrive (per_session limit). */
  private pending = 0;
  private readonly remote: boolean;

  constructor(
    readonly name: string,
    opts: Omit<InstanceOptions, "busy">,
    private readonly host: LaneHost,
    /** The session owning it (per_session); undefined for a shared server's lane. */
    readonly owner?: Owner,
    /** The key's owner part: the owner's, or DISCOVERY (sessions-pool.ts) for the lane nobody owns. */
    ownerKey = owner?.key,
  ) {
    this.key = ownerKey === undefined ? name : `${name}${SEP}${ownerKey}`;
    this.remote = isRemote(opts.config);
    this.listen = new BackendListen(name);
    this.instance = new Instance(
      { ...opts, busy: () => this.tasks > 0 },
      {
        started: (conn, info) => this.started(conn, info),
        notification: (m) => this.notification(m),
        fallbackCaller: () => host.fallbackCaller(this),
        taskCaller: (id) => host.taskCaller(this, id),
      },
    );
  }

  get info(): ServerInfo | undefined {
    return this.host.info;
  }
  get state(): ServerState {
    return this.instance.state;
  }
  get displayState(): ServerState {
    return this.instance.displayState;
  }
  get running(): boolean {
    return this.instance.running;
  }
  get live(): Connection | undefined {
    return this.instance.live;
  }
  get pid(): number | undefined {
    return this.instance.pid;
  }
  get inFlight(): number {
    return this.instance.inFlight;
  }
  get stats(): Instance["stats"] {
    return this.instance.stats;
  }
  get startedAt(): number {
    return this.instance.startedAt;
  }
  get lastUsed(): number {
    return this.instance.lastUsed;
  }
  get lastError(): string {
    return this.instance.lastError;
  }
  /** Has a process: starting, running or stopping. */
  get hasProcess(): boolean {
    const s = this.instance.state;
    return s === "starting" || s === "running" || s === "stopping";
  }
  /** Has a process, or requests on their way to one (what max_sessions counts). */
  get active(): boolean {
    return this.hasProcess || this.pending > 0;
  }

  forward(
    method: string,
    params: Params | undefined,
    caller: Caller,
    done: OutcomeHandler,
  ): Cancel {
    return this.instance.forward(method, params, caller, done);
  }

  /**
   * forward, counted as pending until answered: a per_session lane's request counts against
   * max_sessions from the moment it arrives, before its start has begun.
   */
  forwardCounted(
    method: string,
    params: Params | undefined,
    caller: Caller,
    done: OutcomeHandler,
  ): Cancel {
    this.pending++;
    let open = true;
    const settle = () => {
      if (open) this.pending--;
      open = false;
    };
    const cancel = this.instance.forward(method, params, caller, (o) => {
      settle();
      done(o);
    });
    return () => {
      settle();
      cancel();
    };
  }

  /** Start the backend if it is not running; concurrent callers share one start. */
  ensure(): Promise<Connection> {
    return this.instance.ensure();
  }

  /** `reason` is for the log; `why` is the stop's label in metrics. */
  stop(reason: string, why?: StopReason): Promise<void> {
    return this.instance.stop(reason, why);
  }

  /** A reload removed or replaced the server: no new calls; those in flight finish; then it stops. */
  retire(): Promise<void> {
    return this.instance.retire();
  }

  setTimeouts(t: Timeouts): void {
    this.instance.setTimeouts(t);
  }

  /** A task runs here (router/task-table.ts): hold the backend against the idle stop. */
  hold(): void {
    this.tasks++;
  }

  release(): void {
    if (this.tasks > 0) this.tasks--;
  }

  /** Tell the running backend the level, if it logs (a modern backend takes it per request). */
  setLogLevel(level: string): void {
    const conn = this.instance.live;
    if (conn && !conn.modernVersion && this.info?.capabilities.logging)
      conn.fire("logging/setLevel", { level });
  }

  /** A request to a running backend whose answer nobody waits for. */
  fireRequest(method: string, params?: Params): void {
    this.instance.live?.fire(method, params);
  }

  /** A notification for a running legacy backend (the modern era has no client notifications). */
  notify(method: string, params?: Params): void {
    const conn = this.instance.live;
    if (conn && !conn.modernVersion) conn.notify(method, params);
  }

  /**
   * Watch a resource at the backend (legacy: resources/subscribe; the first client's request gets
   * the backend's answer). A restart renews every watched URI. Without a caller (a modern listen
   * stream) nobody waits for the answer, and a stopped backend is started for it.
   */
  watch(uri: string, params?: Params, caller?: Caller, done?: OutcomeHandler): Cancel | undefined {
    this.subscribed.add(uri);
    const modern = this.modernLive;
    if (modern && this.info) {
      this.listen.open(modern, this.info, this.subscribed);
      done?.(ok({}));
      return undefined;
    }
    if (caller && done) return this.forward("resources/subscribe", params ?? { uri }, caller, done);
    if (this.running) this.fireRequest("resources/subscribe", { uri });
    else
      this.ensure().catch((e: unknown) =>
        log.warn(`server "${this.name}": cannot watch ${uri}: ${errorMessage(e)}`),
      );
    return undefined;
  }

  /** Stop watching a resource (its last subscriber left); nothing to tell a stopped backend. */
  unwatch(
    uri: string,
    params?: Params,
    caller?: Caller,
    done?: OutcomeHandler,
  ): Cancel | undefined {
    this.subscribed.delete(uri);
    const modern = this.modernLive;
    if (modern && this.info) this.listen.open(modern, this.info, this.subscribed);
    if (!this.running || modern) {
      done?.(ok({}));
      return undefined;
    }
    if (caller && done)
      return this.forward("resources/unsubscribe", params ?? { uri }, caller, done);
    this.fireRequest("resources/unsubscribe", { uri });
    return undefined;
  }

  /** A running backend spoken to in the modern era. */
  private get modernLive(): Connection | undefined {
    const conn = this.instance.live;
    return conn?.modernVersion ? conn : undefined;
  }

  private notification(m: RpcNotification): void {
    if (m.method === "notifications/subscriptions/acknowledged") return;
    if (m.params?._meta?.[SUBSCRIPTION_ID_META_KEY] !== undefined) {
      // Tagged for the gateway's own listen stream; clients get their own tags.
      const { [SUBSCRIPTION_ID_META_KEY]: _tag, ...meta } = m.params._meta;
      m = { ...m, params: { ...m.params, _meta: meta } };
    }
    this.host.notification(this, m);
  }

  private started(conn: Connection, info: ServerInfo): void {
    if (conn.modernVersion) {
      this.listen.open(conn, info, this.subscribed);
      // A modern remote backend checks `x-mcp-header` arguments against Mcp-Param headers.
      if (this.remote) conn.headersFor = (m, p) => callHeaders(this.host.lists?.tools, m, p);
    } else {
      const level = this.logLevel ?? this.host.logLevel;
      if (level && info.capabilities.logging) conn.fire("logging/setLevel", { level });
      for (const uri of this.subscribed) conn.fire("resources/subscribe", { uri });
    }
    this.host.started(this, conn, info);
  }
}
