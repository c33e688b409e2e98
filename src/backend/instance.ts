/**
 * The life of one backend connection: started by the first request that needs it (once, however
 * many arrive together), stopped when idle, restarted on demand with backoff after repeated
 * failures. Its requests in flight live in a CallTable, its own requests to clients in a Relay.
 */
import { isRemote, type ServerConfig } from "../config/schema.ts";
import type { Era } from "../era/versions.ts";
import { errorMessage, GatewayError } from "../errors.ts";
import type { Params, RpcNotification } from "../jsonrpc.ts";
import { log } from "../log.ts";
import type { ServerAuth } from "../oauth/server-auth.ts";
import type { BackendProbe, StopReason } from "../observe/types.ts";
import type { ServerInfo } from "../protocol.ts";
import { CallTable } from "./calls.ts";
import type { Connection, OutcomeHandler } from "./connection.ts";
import { Drain } from "./drain.ts";
import { openBackend } from "./open.ts";
import { Relay } from "./relay.ts";
import type { Caller, Cancel, ServerState, TaskCaller } from "./types.ts";

/** A server's three timeouts, in ms; a reload may change them without a restart. */
export interface Timeouts {
  idleTimeoutMs: number;
  callTimeoutMs: number;
  startTimeoutMs: number;
}

export interface InstanceOptions extends Timeouts {
  name: string;
  config: ServerConfig;
  /** The backend's era when known (cached with its schemas): skips the probe. */
  era?: () => Era | undefined;
  /** Work the backend holds beyond calls in flight (tasks): no idle stop while true. */
  busy?: () => boolean;
  /** Where starts and stops are reported (metrics). */
  probe?: BackendProbe;
  /** A remote server's OAuth (auth-slot.ts), shared by its processes; outlives each connection. */
  auth?: () => Promise<ServerAuth | undefined>;
}

export interface InstanceEvents {
  /** Initialized and ready for requests (before any waiting request is sent). */
  started(conn: Connection, info: ServerInfo): void;
  /** A notification other than progress and cancellation. */
  notification(m: RpcNotification): void;
  /** The caller for a backend request that arrives with no client request in flight. */
  fallbackCaller(): Caller | undefined;
  /** The client one of the backend's tasks belongs to. */
  taskCaller?(backendTaskId: string): TaskCaller | undefined;
}

/** Backoff after the 2nd failure in a row: 1 s, 2 s, 4 s … up to 30 s. */
const backoffMs = (failures: number): number => Math.min(30_000, 1000 * 2 ** (failures - 2));

export class Instance {
  state: ServerState = "stopped";
  readonly stats = { calls: 0, errors: 0, restarts: 0, starts: 0 };
  startedAt = 0;
  lastUsed = Date.now();
  lastError = "";
  private conn?: Connection;
  private starting?: Promise<Connection>;
  private stopping?: Promise<void>;
  private readonly calls: CallTable;
  private readonly relay: Relay;
  private readonly waiting: Caller[] = [];
  private failures = 0;
  private retryAt = 0;
  private idleTimer?: Timer;
  /** The era a probe found when no schemas say it yet (a backend that exits on the probe). */
  private probed?: Era;
  /** Aborts a start in progress when the server is stopped (gateway exit must not wait for it). */
  private startAbort?: AbortController;
  /** Set going when a reload removes or replaces this server. */
  private readonly drain: Drain;

  constructor(
    private readonly opts: InstanceOptions,
    private readonly events: InstanceEvents,
  ) {
    this.calls = new CallTable(opts.name, opts.callTimeoutMs, this.stats, {
      answered: () => {
        this.failures = 0;
      },
      settled: () => {
        this.lastUsed = Date.now();
        if (this.calls.size === 0) this.armIdle();
        this.drain.check();
      },
    });
    this.drain = new Drain(
      opts.name,
      () => this.calls.size === 0 && this.waiting.length === 0 && !this.starting,
    );
    this.relay = new Relay(opts.name, {
      calls: () => this.calls.values(),
      waiting: () => this.waiting,
      fallback: () => events.fallbackCaller(),
      task: (id) => events.taskCaller?.(id),
    });
  }

  get pid(): number | undefined {
    return this.conn?.channel.pid;
  }
  get inFlight(): number {
    return this.calls.size;
  }
  get running(): boolean {
    return this.state === "running";
  }
  /** The connection while running. */
  get live(): Connection | undefined {
    return this.state === "running" ? this.conn : undefined;
  }

  /** Status state, with "backing off" turning back into "failed" once the wait is over. */
  get displayState(): ServerState {
    return this.state === "backing off" && Date.now() >= this.retryAt ? "failed" : this.state;
  }

  forward(
    method: string,
    params: Params | undefined,
    caller: Caller,
    done: OutcomeHandler,
  ): Cancel {
    if (this.drain.retired) {
      // Only a stale reference gets here: the catalog routes new calls to the current server.
      done(this.drain.error());
      return () => {};
    }
    const conn = this.live;
    if (conn) return this.calls.dispatch(conn, method, params, caller, done);
    let cancelled = false;
    let cancelInner: Cancel | undefined;
    this.waiting.push(caller);
    const unwait = () => {
      const i = this.waiting.indexOf(caller);
      if (i >= 0) this.waiting.splice(i, 1);
    };
    this.ensure().then(
      (c) => {
        unwait();
        if (!cancelled) cancelInner = this.calls.dispatch(c, method, params, caller, done);
        // Checked after the dispatch: the call now counts as in flight.
        this.drain.check();
      },
      (e: unknown) => {
        unwait();
        if (!cancelled)
          done(e instanceof GatewayError ? e : new GatewayError("BACKEND_START", errorMessage(e)));
        this.drain.check();
      },
    );
    return () => {
      cancelled = true;
      cancelInner?.();
    };
  }

  /** Start the backend if it is not running; concurrent callers share one start. */
  ensure(): Promise<Connection> {
    const live = this.live;
    if (live) return Promise.resolve(live);
    if (this.starting) return this.starting;
    if (this.drain.retired) return Promise.reject(this.drain.error());
    const wait = this.retryAt - Date.now();
    if (wait > 0)
      return Promise.reject(
        new GatewayError(
          "BACKEND_BACKOFF",
          `server "${this.opts.name}" failed ${this.failures} times in a row and is backing off: next start allowed in ${Math.ceil(wait / 1000)} s. Last error: ${this.lastError}`,
        ),
      );
    const after = this.stopping ?? Promise.resolve();
    this.starting = after
      .then(() => this.start())
      .finally(() => {
        this.starting = undefined;
        // Callers waiting on it are still listed in `waiting` here, so this cannot end a drain early.
        this.drain.check();
      });
    return this.starting;
  }

  /** New timeouts from a reload: calls sent from now on and the idle timer use them. */
  setTimeouts(t: Timeouts): void {
    this.opts.idleTimeoutMs = t.idleTimeoutMs;
    this.opts.callTimeoutMs = t.callTimeoutMs;
    this.opts.startTimeoutMs = t.startTimeoutMs;
    this.calls.timeoutMs = t.callTimeoutMs;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.calls.size === 0) this.armIdle();
  }

  /**
   * A reload removed or replaced this server: take no new calls, let the calls in flight (and
   * those waiting for a start) finish, each within its own call_timeout, then stop. With
   * call_timeout 0 (no limit) the calls are given as long as they take.
   */
  async retire(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const { callTimeoutMs, startTimeoutMs } = this.opts;
    // A call's own timer fails it at call_timeout; this bound only guards against a lost one.
    await this.drain.wait(callTimeoutMs > 0 ? callTimeoutMs + startTimeoutMs + 1000 : undefined);
    await this.stop("reload", "reload");
  }

  /** `reason` is for the log; `why` is the stop's label in metrics. */
  async stop(reason: string, why: StopReason = "shutdown"): Promise<void> {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.starting) {
      this.startAbort?.abort();
      await this.starting.catch(() => {});
    }
    const conn = this.conn;
    if (!conn) return this.stopping;
    this.conn = undefined;
    this.state = "stopping";
    log.info(`stopping server "${this.opts.name}" (${reason})`);
    this.opts.probe?.stopped(why);
    conn.failAll(
      new GatewayError("BACKEND_EXIT", `server "${this.opts.name}" was stopped (${reason})`),
    );
    this.stopping = conn.channel.close().finally(() => {
      this.stopping = undefined;
      if (this.state === "stopping") this.state = "stopped";
    });
    return this.stopping;
  }

  private async start(): Promise<Connection> {
    const { name } = this.opts;
    this.state = "starting";
    log.info(`starting server "${name}"`);
    let opened: Awaited<ReturnType<typeof openBackend>>;
    const abort = new AbortController();
    this.startAbort = abort;
    const began = performance.now();
    try {
      const auth = await this.opts.auth?.();
      opened = await openBackend(
        name,
        this.opts.config,
        this.opts.startTimeoutMs,
        (conn) => ({
          onNotification: (m) => this.onNotification(conn(), m),
          onRequest: (m) => this.relay.request(conn(), m),
          onClose: (reason) => this.onClose(conn(), reason),
        }),
        abort.signal,
        this.probed ?? this.opts.era?.(),
        (era) => {
          this.probed = era;
        },
        auth,
      );
    } catch (e) {
      // Stopped on purpose while starting: not a failure to back off from. Neither is a login
      // that is still to happen: the next call after it must not wait for a backoff.
      if (abort.signal.aborted) this.state = "stopped";
      else {
        this.failed(errorMessage(e), !(e instanceof GatewayError && e.code === "LOGIN_REQUIRED"));
        this.opts.probe?.startFailed(performance.now() - began);
      }
      throw e;
    } finally {
      this.startAbort = undefined;
    }
    const { conn, info } = opened;
    this.conn = conn;
    this.stats.starts++;
    if (this.stats.starts > 1) this.stats.restarts++;
    this.opts.probe?.started(performance.now() - began, this.stats.starts > 1);
    this.startedAt = Date.now();
    this.lastUsed = Date.now();
    this.state = "running";
    log.info(`server "${name}" running${conn.channel.pid ? ` (pid ${conn.channel.pid})` : ""}`);
    this.events.started(conn, info);
    this.armIdle();
    return conn;
  }

  private armIdle(): void {
    const ms = this.opts.idleTimeoutMs;
    if (ms <= 0 || this.idleTimer || this.state !== "running" || this.drain.retired) return;
    this.idleTimer = setTimeout(() => this.idleCheck(), ms);
  }

  private idleCheck(): void {
    this.idleTimer = undefined;
    if (this.state !== "running" || this.calls.size > 0) return;
    const idle = Date.now() - this.lastUsed;
    const ms = this.opts.idleTimeoutMs;
    if (this.opts.busy?.()) {
      this.idleTimer = setTimeout(() => this.idleCheck(), ms);
      return;
    }
    if (idle >= ms) void this.stop(`idle for ${Math.round(idle / 1000)} s`, "idle");
    else this.idleTimer = setTimeout(() => this.idleCheck(), ms - idle);
  }

  private onClose(conn: Connection, reason: string): void {
    if (conn !== this.conn) return;
    this.conn = undefined;
    // What it left in its process group is stopped too; a restart or gateway exit waits for that.
    if (!isRemote(this.opts.config))
      this.stopping = conn.channel.close().finally(() => {
        this.stopping = undefined;
      });
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.relay.abortAll();
    // The stderr tail was logged line by line already; the warning stays one line.
    log.warn(`server "${this.opts.name}" ${reason.split("\n")[0]}`);
    this.opts.probe?.stopped("crash");
    this.failed(reason);
  }

  private failed(reason: string, counts = true): void {
    if (counts) this.failures++;
    this.lastError = reason;
    this.retryAt = counts && this.failures >= 2 ? Date.now() + backoffMs(this.failures) : 0;
    this.state = this.retryAt > 0 ? "backing off" : "failed";
  }

  private onNotification(conn: Connection, m: RpcNotification): void {
    if (conn !== this.conn) return;
    if (m.method === "notifications/progress") return this.calls.progress(m);
    if (m.method === "notifications/cancelled") return this.relay.cancel(m.params?.requestId);
    this.events.notification(m);
  }
}
