/**
 * One configured MCP server as the router sees it: its schemas (from the cache, then live), and
 * the backend instance that serves its requests (started lazily, see instance.ts). Resource
 * subscriptions and the log level are kept here, so a restart renews them.
 */

import { isRemote, type ServerConfig } from "../config/schema.ts";
import { mirrorParams } from "../era/headers.ts";
import { SUBSCRIPTION_ID_META_KEY } from "../era/keys.ts";
import { errorMessage } from "../errors.ts";
import type { Params, RpcNotification } from "../jsonrpc.ts";
import { log } from "../log.ts";
import type { BackendProbe, StopReason } from "../observe/types.ts";
import { emptyLists, type ListKind, type Lists, type ServerInfo } from "../protocol.ts";
import { ok } from "../replies.ts";
import type { SchemaCache } from "./cache.ts";
import type { Connection, OutcomeHandler } from "./connection.ts";
import { Instance, type Timeouts } from "./instance.ts";
import { BackendListen } from "./listen.ts";
import { ListRefresher, type Schemas } from "./refresh.ts";
import type { Caller, Cancel, ServerEvents, ServerState, Target } from "./types.ts";

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

export class ServerHandle implements Target {
  readonly name: string;
  readonly schemas: Schemas = {};
  /** Resource URIs subscribed at the backend, renewed after a restart. */
  readonly subscribed = new Set<string>();
  logLevel?: string;
  private readonly instance: Instance;
  private readonly refresher: ListRefresher;
  private readonly listen: BackendListen;
  private refreshing?: Promise<ListKind[]>;
  /** Removed or replaced by a reload: its list changes no longer concern anyone. */
  private retired = false;
  /** Unfinished tasks the gateway mapped here: the backend is not stopped for idleness meanwhile. */
  private tasks = 0;

  constructor(private readonly opts: ServerOptions) {
    this.name = opts.name;
    const cached = opts.cache.read(opts.name, opts.config);
    if (cached) {
      const { tools, prompts, resources, resourceTemplates } = cached;
      this.schemas.lists = { tools, prompts, resources, resourceTemplates };
      this.schemas.info = cached.info;
      this.schemas.source = "cache";
    }
    this.instance = new Instance(
      { ...opts, era: () => this.schemas.info?.era, busy: () => this.tasks > 0 },
      {
        started: (conn, info) => this.started(conn, info),
        notification: (m) => this.onNotification(m),
        fallbackCaller: () => opts.events.fallbackCaller(),
        taskCaller: (id) => opts.events.taskCaller?.(opts.name, id),
      },
    );
    this.listen = new BackendListen(opts.name);
    this.refresher = new ListRefresher({
      name: opts.name,
      schemas: this.schemas,
      current: () => this.instance.live,
      get timeoutMs() {
        return opts.callTimeoutMs;
      },
      save: (info, lists) => opts.cache.write(opts.name, opts.config, info, lists),
      changed: (kinds) => {
        if (!this.retired) opts.events.listsChanged(opts.name, kinds);
      },
    });
  }

  /** Its settings; a reload changes only those that need no restart (prefix, timeouts). */
  get config(): ServerConfig {
    return this.opts.config;
  }

  /**
   * A reload changed settings that need no restart: the prefix (the router's business) and
   * timeouts, which apply to calls sent from now on and to the idle timer.
   */
  retune(config: ServerConfig, timeouts: Timeouts): void {
    this.opts.config = config;
    this.opts.idleTimeoutMs = timeouts.idleTimeoutMs;
    this.opts.callTimeoutMs = timeouts.callTimeoutMs;
    this.opts.startTimeoutMs = timeouts.startTimeoutMs;
    this.instance.setTimeouts(timeouts);
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
    await this.instance.retire();
    // A login still waiting for the person belongs to the settings that were replaced.
    this.instance.closeAuth();
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
  /** A running backend spoken to in the modern era. */
  private get modernLive(): Connection | undefined {
    const conn = this.instance.live;
    return conn?.modernVersion ? conn : undefined;
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
  /** A remote server's OAuth login state (undefined: it does not use OAuth). */
  get login(): Instance["login"] {
    return this.instance.login;
  }

  forward(
    method: string,
    params: Params | undefined,
    caller: Caller,
    done: OutcomeHandler,
  ): Cancel {
    return this.instance.forward(method, params, caller, done);
  }

  /** A task runs here (router/task-table.ts): hold the backend against the idle stop. */
  hold(): void {
    this.tasks++;
  }

  release(): void {
    if (this.tasks > 0) this.tasks--;
  }

  /** Remember the level for later starts; tell the backend now if it runs and logs. */
  setLogLevel(level: string): void {
    this.logLevel = level;
    // A modern backend takes the level per request, from each client's envelope.
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

  /** Start the backend if it is not running; concurrent callers share one start. */
  ensure(): Promise<Connection> {
    return this.instance.ensure();
  }

  /** Start (if needed) and wait for the lists: what the placeholder tool and `list --refresh` need. */
  async discover(): Promise<Lists> {
    await this.ensure();
    if (this.refreshing) await this.refreshing;
    return this.lists ?? emptyLists();
  }

  stop(reason: string, why?: StopReason): Promise<void> {
    return this.instance.stop(reason, why);
  }

  /** The gateway is closing: a login still waiting for the person is given up (its listener closes). */
  async close(): Promise<void> {
    await this.instance.stop("gateway closing");
    this.instance.closeAuth();
  }

  /** Re-read the lists from the running backend; update the cache; report what changed. */
  refresh(kinds?: readonly ListKind[], announced = false): Promise<ListKind[]> {
    return this.refresher.refresh(kinds, announced);
  }

  private started(conn: Connection, info: ServerInfo): void {
    this.schemas.info = info;
    if (conn.modernVersion) {
      this.listen.open(conn, info, this.subscribed);
      if (this.kind === "remote")
        conn.headersFor = (method, params) => this.paramHeaders(method, params);
    } else {
      if (this.logLevel && info.capabilities.logging)
        conn.fire("logging/setLevel", { level: this.logLevel });
      for (const uri of this.subscribed) conn.fire("resources/subscribe", { uri });
    }
    this.refreshing = this.refresh().finally(() => {
      this.refreshing = undefined;
    });
  }

  /** A modern remote backend checks `x-mcp-header` arguments against Mcp-Param headers. */
  private paramHeaders(
    method: string,
    params: Params | undefined,
  ): Record<string, string> | undefined {
    if (method !== "tools/call") return undefined;
    const def = this.lists?.tools.find((t) => t.name === params?.name);
    const args = params?.arguments;
    return def
      ? mirrorParams(
          def.inputSchema,
          typeof args === "object" && args !== null ? (args as Record<string, unknown>) : undefined,
        )
      : undefined;
  }

  private onNotification(m: RpcNotification): void {
    if (m.method === "notifications/subscriptions/acknowledged") return;
    if (m.params?._meta?.[SUBSCRIPTION_ID_META_KEY] !== undefined) {
      // Tagged for the gateway's own listen stream; clients get their own tags.
      const { [SUBSCRIPTION_ID_META_KEY]: _tag, ...meta } = m.params._meta;
      m = { ...m, params: { ...m.params, _meta: meta } };
    }
    const kinds = Object.hasOwn(LIST_OF, m.method) ? LIST_OF[m.method] : undefined;
    if (kinds) {
      void this.refresh(kinds, true);
      return;
    }
    this.opts.events.notification(this.name, m);
  }
}
