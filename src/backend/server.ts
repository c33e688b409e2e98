import { isRemote, type ServerConfig } from "../config/schema.ts";
import { errorMessage, GatewayError } from "../errors.ts";
import { ErrorCode, type Params, type RpcNotification, type RpcRequest } from "../jsonrpc.ts";
import { log } from "../log.ts";
import { emptyLists, LIST_KINDS, type ListKind, type Lists, type ServerInfo } from "../protocol.ts";
import type { SchemaCache } from "./cache.ts";
import type { Connection, Outcome, OutcomeHandler } from "./connection.ts";
import { fetchLists } from "./lists.ts";
import { openBackend } from "./open.ts";
import type {
  Caller,
  Cancel,
  RelayedCapability,
  ServerEvents,
  ServerState,
  Target,
} from "./types.ts";

export interface ServerOptions {
  name: string;
  config: ServerConfig;
  idleTimeoutMs: number;
  callTimeoutMs: number;
  startTimeoutMs: number;
  cache: SchemaCache;
  events: ServerEvents;
}

interface Call {
  caller: Caller;
  /** Backend requests relayed to the caller on behalf of this call: in all, and not answered yet. */
  relays: number;
  open: number;
  /** The client's own progress token, restored on the way back. */
  token: unknown;
  done: OutcomeHandler;
  timer?: Timer;
}

const RELAYED: Record<string, RelayedCapability> = {
  "sampling/createMessage": "sampling",
  "elicitation/create": "elicitation",
  "roots/list": "roots",
};
const LIST_OF: Record<string, ListKind[]> = {
  "notifications/tools/list_changed": ["tools"],
  "notifications/prompts/list_changed": ["prompts"],
  "notifications/resources/list_changed": ["resources", "resourceTemplates"],
};
/** Backoff after the 2nd failure in a row: 1 s, 2 s, 4 s … up to 30 s. */
const backoffMs = (failures: number): number => Math.min(30_000, 1000 * 2 ** (failures - 2));

/**
 * One configured MCP server: started by the first request that needs it (once,
 * however many arrive together), stopped when idle, restarted on demand with
 * backoff after repeated failures. Request ids and progress tokens are mapped
 * here, so two clients never see each other's traffic.
 */
export class ServerHandle implements Target {
  readonly name: string;
  readonly config: ServerConfig;
  state: ServerState = "stopped";
  info?: ServerInfo;
  lists?: Lists;
  source?: "cache" | "live";
  readonly stats = { calls: 0, errors: 0, restarts: 0, starts: 0 };
  startedAt = 0;
  lastUsed = Date.now();
  lastError = "";
  /** Resource URIs subscribed at the backend, renewed after a restart. */
  readonly subscribed = new Set<string>();
  logLevel?: string;
  private conn?: Connection;
  private starting?: Promise<Connection>;
  private stopping?: Promise<void>;
  private refreshing?: Promise<ListKind[]>;
  private refreshQueue: Promise<unknown> = Promise.resolve();
  private readonly calls = new Map<number, Call>();
  private readonly waiting: Caller[] = [];
  private readonly relayed = new Map<unknown, AbortController>();
  private failures = 0;
  private retryAt = 0;
  private idleTimer?: Timer;
  /** Aborts a start in progress when the server is stopped (gateway exit must not wait for it). */
  private startAbort?: AbortController;

  constructor(private readonly opts: ServerOptions) {
    this.name = opts.name;
    this.config = opts.config;
    const cached = opts.cache.read(opts.name, opts.config);
    if (cached) {
      const { tools, prompts, resources, resourceTemplates } = cached;
      this.lists = { tools, prompts, resources, resourceTemplates };
      this.info = cached.info;
      this.source = "cache";
    }
  }

  get kind(): "stdio" | "remote" {
    return isRemote(this.config) ? "remote" : "stdio";
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

  forward(
    method: string,
    params: Params | undefined,
    caller: Caller,
    done: OutcomeHandler,
  ): Cancel {
    const conn = this.conn;
    if (conn && this.state === "running") return this.dispatch(conn, method, params, caller, done);
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
        if (!cancelled) cancelInner = this.dispatch(c, method, params, caller, done);
      },
      (e: unknown) => {
        unwait();
        if (!cancelled)
          done(e instanceof GatewayError ? e : new GatewayError("BACKEND_START", errorMessage(e)));
      },
    );
    return () => {
      cancelled = true;
      cancelInner?.();
    };
  }

  /** Remember the level for later starts; tell the backend now if it runs and logs. */
  setLogLevel(level: string): void {
    this.logLevel = level;
    if (this.conn && this.state === "running" && this.info?.capabilities.logging)
      this.conn.fire("logging/setLevel", { level });
  }

  /** A request to a running backend whose answer nobody waits for. */
  fireRequest(method: string, params?: Params): void {
    if (this.state === "running") this.conn?.fire(method, params);
  }

  notify(method: string, params?: Params): void {
    if (this.state === "running") this.conn?.notify(method, params);
  }

  /** Start the backend if it is not running; concurrent callers share one start. */
  ensure(): Promise<Connection> {
    if (this.conn && this.state === "running") return Promise.resolve(this.conn);
    if (this.starting) return this.starting;
    const wait = this.retryAt - Date.now();
    if (wait > 0)
      return Promise.reject(
        new GatewayError(
          "BACKEND_BACKOFF",
          `server "${this.name}" failed ${this.failures} times in a row and is backing off: next start allowed in ${Math.ceil(wait / 1000)} s. Last error: ${this.lastError}`,
        ),
      );
    const after = this.stopping ?? Promise.resolve();
    this.starting = after
      .then(() => this.start())
      .finally(() => {
        this.starting = undefined;
      });
    return this.starting;
  }

  /** Start (if needed) and wait for the lists: what the placeholder tool and `list --refresh` need. */
  async discover(): Promise<Lists> {
    await this.ensure();
    if (this.refreshing) await this.refreshing;
    return this.lists ?? emptyLists();
  }

  async stop(reason: string): Promise<void> {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.starting) {
      this.startAbort?.abort();
      await this.starting.catch(() => {});
    }
    const conn = this.conn;
    if (!conn) return this.stopping;
    this.conn = undefined;
    this.setState("stopping");
    log.info(`stopping server "${this.name}" (${reason})`);
    conn.failAll(new GatewayError("BACKEND_EXIT", `server "${this.name}" was stopped (${reason})`));
    this.stopping = conn.channel.close().finally(() => {
      this.stopping = undefined;
      if (this.state === "stopping") this.setState("stopped");
    });
    return this.stopping;
  }

  private async start(): Promise<Connection> {
    this.setState("starting");
    log.info(`starting server "${this.name}"`);
    let opened: Awaited<ReturnType<typeof openBackend>>;
    const abort = new AbortController();
    this.startAbort = abort;
    try {
      opened = await openBackend(
        this.name,
        this.config,
        this.opts.startTimeoutMs,
        (conn) => ({
          onNotification: (m) => this.onNotification(conn(), m),
          onRequest: (m) => this.onRequest(conn(), m),
          onClose: (reason) => this.onClose(conn(), reason),
        }),
        abort.signal,
      );
    } catch (e) {
      // Stopped on purpose while starting: not a failure to back off from.
      if (abort.signal.aborted) this.setState("stopped");
      else this.failed(errorMessage(e));
      throw e;
    } finally {
      this.startAbort = undefined;
    }
    const { conn, info } = opened;
    this.conn = conn;
    this.info = info;
    this.stats.starts++;
    if (this.stats.starts > 1) this.stats.restarts++;
    this.startedAt = Date.now();
    this.lastUsed = Date.now();
    this.setState("running");
    log.info(
      `server "${this.name}" running${conn.channel.pid ? ` (pid ${conn.channel.pid})` : ""}`,
    );
    if (this.logLevel && info.capabilities.logging)
      conn.fire("logging/setLevel", { level: this.logLevel });
    for (const uri of this.subscribed) conn.fire("resources/subscribe", { uri });
    this.refreshing = this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    this.armIdle();
    return conn;
  }

  /**
   * Re-read the lists from the running backend; update the cache; report what changed.
   * Refreshes run one after another, so an older answer is never applied last.
   */
  refresh(kinds: readonly ListKind[] = LIST_KINDS): Promise<ListKind[]> {
    const next = this.refreshQueue.then(() => this.refreshNow(kinds));
    this.refreshQueue = next.catch(() => []);
    return next;
  }

  private async refreshNow(kinds: readonly ListKind[]): Promise<ListKind[]> {
    const conn = this.conn;
    const info = this.info;
    if (!conn || !info) return [];
    let got: Partial<Lists>;
    try {
      got = await fetchLists(conn, info, kinds, this.opts.callTimeoutMs);
    } catch (e) {
      // Cut short because the server was stopped (idle, list --refresh, exit): nothing to say.
      if (conn !== this.conn) return [];
      log.warn(`server "${this.name}": cannot list ${kinds.join(", ")}: ${errorMessage(e)}`);
      return [];
    }
    if (conn !== this.conn) return [];
    const before = this.lists ?? emptyLists();
    const after: Lists = { ...before, ...got };
    const changed = kinds.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    // Leaving the placeholder changes the tool list even when the backend has no tools.
    if (this.source === undefined && !changed.includes("tools")) changed.push("tools");
    const wasLive = this.source === "live";
    this.lists = after;
    this.source = "live";
    if (changed.length > 0 || !wasLive) this.opts.cache.write(this.name, this.config, info, after);
    if (changed.length > 0) this.opts.events.listsChanged(this.name, changed);
    return changed;
  }

  private dispatch(
    conn: Connection,
    method: string,
    params: Params | undefined,
    caller: Caller,
    done: OutcomeHandler,
  ): Cancel {
    const id = conn.allocateId();
    const meta = params?._meta;
    const token = meta?.progressToken;
    // The backend sees our request id as the token: unique on this connection, mapped back on progress.
    const out = token === undefined ? params : { ...params, _meta: { ...meta, progressToken: id } };
    const call: Call = { caller, token, done, relays: 0, open: 0 };
    this.calls.set(id, call);
    this.stats.calls++;
    const ms = this.opts.callTimeoutMs;
    if (ms > 0) call.timer = setTimeout(() => this.timedOut(conn, id, method), ms);
    conn.send(id, method, out, (o) => this.finish(id, o));
    return () => {
      if (!this.calls.has(id)) return;
      this.end(id);
      conn.abandon(id, "cancelled by the client");
    };
  }

  private finish(id: number, outcome: Outcome): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.end(id);
    if (outcome instanceof GatewayError) this.stats.errors++;
    else {
      this.failures = 0;
      if (outcome.error) this.stats.errors++;
    }
    call.done(outcome);
  }

  private end(id: number): void {
    const call = this.calls.get(id);
    if (call?.timer) clearTimeout(call.timer);
    this.calls.delete(id);
    this.lastUsed = Date.now();
    if (this.calls.size === 0) this.armIdle();
  }

  private timedOut(conn: Connection, id: number, method: string): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.end(id);
    conn.abandon(id, "call_timeout passed");
    this.stats.errors++;
    const s = this.opts.callTimeoutMs / 1000;
    call.done(
      new GatewayError(
        "CALL_TIMEOUT",
        `server "${this.name}" did not answer ${method} within ${s} s (call_timeout)`,
      ),
    );
  }

  private armIdle(): void {
    const ms = this.opts.idleTimeoutMs;
    if (ms <= 0 || this.idleTimer || this.state !== "running") return;
    this.idleTimer = setTimeout(() => this.idleCheck(), ms);
  }

  private idleCheck(): void {
    this.idleTimer = undefined;
    if (this.state !== "running" || this.calls.size > 0) return;
    const idle = Date.now() - this.lastUsed;
    const ms = this.opts.idleTimeoutMs;
    if (idle >= ms) void this.stop(`idle for ${Math.round(idle / 1000)} s`);
    else this.idleTimer = setTimeout(() => this.idleCheck(), ms - idle);
  }

  private onClose(conn: Connection, reason: string): void {
    if (conn !== this.conn) return;
    this.conn = undefined;
    // What it left in its process group is stopped too; a restart or gateway exit waits for that.
    if (this.kind === "stdio")
      this.stopping = conn.channel.close().finally(() => {
        this.stopping = undefined;
      });
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    for (const ac of this.relayed.values()) ac.abort();
    this.relayed.clear();
    // The stderr tail was logged line by line already; the warning stays one line.
    log.warn(`server "${this.name}" ${reason.split("\n")[0]}`);
    this.failed(reason);
  }

  private failed(reason: string): void {
    this.failures++;
    this.lastError = reason;
    this.retryAt = this.failures >= 2 ? Date.now() + backoffMs(this.failures) : 0;
    this.setState(this.retryAt > 0 ? "backing off" : "failed");
  }

  private setState(state: ServerState): void {
    this.state = state;
  }

  /** Status state, with "backing off" turning back into "failed" once the wait is over. */
  get displayState(): ServerState {
    return this.state === "backing off" && Date.now() >= this.retryAt ? "failed" : this.state;
  }

  private onNotification(conn: Connection, m: RpcNotification): void {
    if (conn !== this.conn) return;
    const p = m.params;
    if (m.method === "notifications/progress") {
      const call =
        typeof p?.progressToken === "number" ? this.calls.get(p.progressToken) : undefined;
      if (call && call.token !== undefined)
        call.caller.notify(m.method, { ...p, progressToken: call.token });
      return;
    }
    if (m.method === "notifications/cancelled") {
      this.relayed.get(p?.requestId)?.abort();
      return;
    }
    const kinds = Object.hasOwn(LIST_OF, m.method) ? LIST_OF[m.method] : undefined;
    if (kinds) {
      void this.refresh(kinds);
      return;
    }
    this.opts.events.notification(this.name, m);
  }

  /**
   * The client a backend's own request (sampling, elicitation, roots) goes to. A stdio
   * backend does not say which call it belongs to, so: when every call in flight is one
   * client's, that client; else the call with no relayed request open and the fewest
   * relayed so far, the oldest first (concurrent calls of one tool ask in turn); no call
   * in flight: the client waiting for the start, else the only session.
   */
  private relayTarget(): { caller: Caller; call?: Call } | undefined {
    let first: Call | undefined;
    let best: Call | undefined;
    let last: Call | undefined;
    let oneCaller = true;
    for (const call of this.calls.values()) {
      if (first && call.caller !== first.caller) oneCaller = false;
      first ??= call;
      last = call;
      if (call.open === 0 && (!best || call.relays < best.relays)) best = call;
    }
    if (last) {
      const call = oneCaller ? last : (best ?? last);
      return { caller: call.caller, call };
    }
    const caller = this.waiting[this.waiting.length - 1] ?? this.opts.events.fallbackCaller();
    return caller ? { caller } : undefined;
  }

  private onRequest(conn: Connection, m: RpcRequest): void {
    if (m.method === "ping") return conn.respond(m.id, {});
    const cap = Object.hasOwn(RELAYED, m.method) ? RELAYED[m.method] : undefined;
    if (!cap)
      return conn.respond(m.id, undefined, {
        code: ErrorCode.MethodNotFound,
        message: `Method not found: ${m.method}`,
      });
    const target = this.relayTarget();
    const caller = target?.caller;
    if (!caller)
      return conn.respond(m.id, undefined, {
        code: ErrorCode.InvalidRequest,
        message: `mcp-gateway: no client request is in flight on server "${this.name}" to relay ${m.method} to`,
      });
    if (!caller.can(cap))
      return conn.respond(m.id, undefined, {
        code: ErrorCode.MethodNotFound,
        message: `mcp-gateway: the client (${caller.label}) does not support ${cap}, which ${m.method} needs`,
      });
    const ac = new AbortController();
    this.relayed.set(m.id, ac);
    const call = target.call;
    if (call) {
      call.relays++;
      call.open++;
    }
    caller.request(m.method, m.params, ac.signal).then((o) => {
      this.relayed.delete(m.id);
      if (call) call.open--;
      if (ac.signal.aborted) return;
      if (o instanceof GatewayError)
        conn.respond(m.id, undefined, { code: ErrorCode.InternalError, message: o.message });
      else conn.respond(m.id, o.result, o.error);
    });
  }
}
