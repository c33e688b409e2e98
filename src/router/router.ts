import type { ServerHandle } from "../backend/server.ts";
import type { Cancel, ServerEvents, Source, TaskCaller } from "../backend/types.ts";
import { MODERN_VERSIONS } from "../era/versions.ts";
import { GatewayError } from "../errors.ts";
import { ErrorCode, type Params, RpcError, type RpcNotification } from "../jsonrpc.ts";
import { tracing } from "../observe/trace-state.ts";
import { NOOP_OBSERVER, type Observer, watchedCancel } from "../observe/types.ts";
import { LIST_CHANGED, type ListKind } from "../protocol.ts";
import { fail, ok, type Reply, thrownReply, toolError } from "../replies.ts";
import { capabilities, instructions } from "./capabilities.ts";
import { Catalog, type LocalTool, type ServerEntry, serverOf } from "./catalog.ts";
import type { Client } from "./client.ts";
import { ColdStart, unknownTool } from "./cold.ts";
import type { ConfigStatus } from "./config-status.ts";
import type { Listener } from "./listen.ts";
import { ModernHost } from "./modern-request.ts";
import { page } from "./pagination.ts";
import { PromptRoutes } from "./prompts.ts";
import { asReply, ResourceRoutes } from "./resources.ts";
import type { Role } from "./roles.ts";
import { Session, type SessionHost } from "./session.ts";
import type { Settings } from "./settings.ts";
import type { CacheHints } from "./shape.ts";
import { Subscriptions } from "./subscriptions.ts";
import { announce, signatures } from "./swap.ts";
import { Tasks } from "./tasks.ts";
import { ToolSearch } from "./tool-search.ts";
import { type View, Views } from "./views.ts";

type Done = (reply: Reply) => void;
type Handler = (s: Client, p: Params | undefined, done: Done) => Cancel | undefined;

/** How long a modern client may keep the gateway's lists once every server's lists are known. */
const LIST_TTL_MS = 60_000;

/** What a reload swaps in the router, in one step. */
export interface RouterConfig {
  servers: ServerEntry[];
  local: LocalTool[];
  settings: Settings;
}

/**
 * The gateway core that every session talks to: resolves exposed names through the
 * catalog, enforces the caller's role on every request, and forwards to backends.
 */
export class Router implements ServerEvents, SessionHost {
  readonly catalog = new Catalog();
  readonly sessions = new Set<Session>();
  private readonly views: Views;
  private readonly subscriptions = new Subscriptions();
  private readonly resources: ResourceRoutes;
  private readonly prompts: PromptRoutes;
  private readonly listeners = new Set<Listener>();
  private readonly prefixes = new Map<string, string>();
  private readonly handlers: Record<string, Handler>;
  private readonly tasks = new Tasks();
  private readonly cold = new ColdStart(
    this.catalog,
    () => this.servers,
    (r) => this.view(r),
  );
  /** What modern requests share (open input bridges, cache hints). */
  readonly modern = new ModernHost(() => this.cacheHints());
  /** The running config's generation and last reload, set by the gateway (src/reload/). */
  configStatus?: () => ConfigStatus;
  /** The schema cache's folder, set by the gateway: tool search keeps tool embeddings there. */
  cacheDir?: string;
  /** Set when tool search is not off: it decides what tools/list holds (tool-search.ts). */
  private search?: ToolSearch;
  /** Where calls, sessions and refusals are reported (metrics, audit log); set by the gateway. */
  observe: Observer = NOOP_OBSERVER;
  private readonly closers = new Map<Session, () => void>();

  constructor(
    private servers: ServerEntry[],
    private local: LocalTool[],
    private current: Settings,
  ) {
    for (const s of servers) this.prefixes.set(s.handle.name, s.prefix);
    this.views = new Views(this.catalog, (name) => this.prefixes.get(name) ?? name);
    this.resources = new ResourceRoutes(
      this.catalog,
      (role) => this.view(role).servers,
      this.subscriptions,
      () => this.observe,
    );
    this.prompts = new PromptRoutes(
      this.catalog,
      (r) => this.view(r),
      this.cold,
      this.resources,
      () => this.observe,
    );
    this.catalog.rebuild(local, servers);
    this.search = this.searchFor(current);
    this.handlers = {
      ...this.tasks.handlers,
      "tools/list": (s, p, done) => {
        const search = this.toolSearch;
        const tools = search?.list(s) ?? this.view(s.role).tools;
        // Search mode's saving, once per list (its first page): bytes served vs the full list.
        if (search && p?.cursor === undefined && search.active(s.role))
          this.observe.listed(() => search.sizes(s, tools));
        return void done(ok(page("tools", tools, p?.cursor)));
      },
      "prompts/list": (s, p, done) =>
        void done(ok(page("prompts", this.view(s.role).prompts, p?.cursor))),
      "resources/list": (s, p, done) =>
        void done(ok(page("resources", this.view(s.role).resources, p?.cursor))),
      "resources/templates/list": (s, p, done) =>
        void done(ok(page("resourceTemplates", this.view(s.role).templates, p?.cursor))),
      "tools/call": (s, p, done) => this.callTool(s, p, done),
      "prompts/get": (s, p, done) => this.prompts.get(s, p, done),
      "resources/read": (s, p, done) => this.resources.read(s, p, done),
      "resources/subscribe": (s, p, done) => this.resources.subscribe(s, p, done),
      "resources/unsubscribe": (s, p, done) => this.resources.unsubscribe(s, p, done),
      "completion/complete": (s, p, done) => this.prompts.complete(s, p, done),
      "logging/setLevel": (s, p, done) => {
        const level = p?.level;
        if (typeof level !== "string")
          throw new RpcError(ErrorCode.InvalidParams, "logging/setLevel needs params.level");
        if (s instanceof Session) s.logLevel = level;
        for (const { handle } of this.servers) handle.setLogLevel(level, s.owner);
        return void done(ok({}));
      },
    };
  }

  /** Replace the in-process tools (plugins registered after start). */
  setLocalTools(local: LocalTool[]): void {
    this.local = local;
    this.rebuild(["tools"]);
  }

  /** Roles, tokens and tool search settings in force: swapped whole by a reload. */
  get settings(): Settings {
    return this.current;
  }

  /** Tool search, unless it is off; swapped with the settings. */
  get toolSearch(): ToolSearch | undefined {
    return this.search;
  }

  /**
   * Tool search as `settings` has it: the running one when its settings did not change; else a
   * new one that keeps the tools each session has found.
   */
  private searchFor(settings: Settings, running?: ToolSearch): ToolSearch | undefined {
    const config = settings.toolSearch;
    if (config.mode === "off") return undefined;
    if (running && JSON.stringify(running.config) === JSON.stringify(config)) return running;
    return new ToolSearch(config, this, running);
  }

  /**
   * A reload: servers, local tools and settings swapped in one synchronous step, so no request
   * sees a mix. Clients are moved to their role under the new settings (or closed when their
   * token is gone), subscriptions follow their server, and each client hears list_changed for
   * the lists that changed for it.
   */
  configure(next: RouterConfig): void {
    const clients = () => [...this.sessions, ...this.listeners];
    const view = (role: Role) => this.view(role);
    const tools = (c: Session | Listener) =>
      (c instanceof Session ? this.search?.list(c) : this.search?.listed(c.role)) ??
      this.view(c.role).tools;
    const before = signatures(clients(), view, tools);
    this.servers = next.servers;
    this.local = next.local;
    this.current = next.settings;
    this.search = this.searchFor(next.settings, this.search);
    this.prefixes.clear();
    for (const s of next.servers) this.prefixes.set(s.handle.name, s.prefix);
    this.views.clear();
    this.catalog.rebuild(this.local, this.servers);
    const byName = new Map(next.servers.map((s) => [s.handle.name, s.handle]));
    this.subscriptions.retarget((old, who) => {
      const lane = byName.get(old.name)?.bind(who.owner);
      return lane instanceof GatewayError ? undefined : lane;
    });
    for (const s of [...this.sessions]) if (!s.rebind(next.settings)) s.close();
    for (const l of [...this.listeners])
      if (!l.rebind(next.settings)) {
        this.unlisten(l);
        l.end();
      }
    const after = signatures(clients(), view, tools);
    announce(before, after, this.sessions, this.listeners);
  }

  get serverHandles(): ServerHandle[] {
    return this.servers.map((s) => s.handle);
  }

  view(role: Role): View {
    return this.views.of(role);
  }

  /** Dispatch one client request. Errors thrown here become the reply. */
  request(
    session: Client,
    method: string,
    params: Params | undefined,
    done: Done,
  ): Cancel | undefined {
    // Own keys only: a method named "constructor" or "toString" is unknown, not Object's.
    const handler = Object.hasOwn(this.handlers, method) ? this.handlers[method] : undefined;
    if (!handler) {
      done(fail(ErrorCode.MethodNotFound, `Method not found: ${method}`));
      return undefined;
    }
    // With traces on, the request runs inside its span; without, nothing more than this check.
    if (tracing)
      return tracing.request(session, method, params, done, (d) =>
        this.run(handler, session, params, d),
      );
    return this.run(handler, session, params, done);
  }

  private run(
    handler: Handler,
    session: Client,
    params: Params | undefined,
    done: Done,
  ): Cancel | undefined {
    try {
      return handler(session, params, done);
    } catch (e) {
      done(thrownReply(e));
      return undefined;
    }
  }

  private callTool(s: Client, p: Params | undefined, done: Done, warm = false): Cancel | undefined {
    const name = p?.name;
    const route = typeof name === "string" ? this.catalog.tools.get(name) : undefined;
    // No route: a placeholder, a cold call (cold.ts), or unknown.
    if (!route) {
      const again = warm ? undefined : () => this.callTool(s, p, done, true);
      return this.cold.tool(s.role, name, done, again, s.owner);
    }
    // A hidden tool answers exactly like an unknown one.
    if (!s.role.all && !this.view(s.role).toolNames.has(name as string)) {
      this.observe.denied("tool", s, name as string);
      throw unknownTool(name);
    }
    const watch = this.observe.call("tool", s, serverOf(route), name as string);
    const answer = watch ? asReply(done, watch) : done;
    if (route.connect) return void this.cold.connect(route.connect, s.role, answer, s.owner);
    const params = route.original === name ? p : { ...p, name: route.original };
    // A task-augmented call is counted when its task is created (the answer it gets then).
    const viaTask = this.tasks.call(s, route, params, answer);
    if (viaTask !== false) return viaTask;
    const cancel = route.target.forward("tools/call", params, s, (o) => {
      watch?.end(o);
      done(o instanceof GatewayError ? toolError(o.message) : o);
    });
    return watch ? watchedCancel(watch, cancel) : cancel;
  }

  /** `server/discover` for modern clients: the versions, and what the backends can do together. */
  discover(): Record<string, unknown> {
    const result: Record<string, unknown> = {
      supportedVersions: [...MODERN_VERSIONS],
      capabilities: capabilities(this.serverHandles, "modern"),
    };
    const text = this.instructions();
    if (text) result.instructions = text;
    return result;
  }

  /** Cache hints for the gateway's own lists (modern clients). */
  private cacheHints(): CacheHints {
    const settled = this.servers.every((s) => s.handle.lists !== undefined);
    return { listTtlMs: settled ? LIST_TTL_MS : 0, listScope: this.current.listScope };
  }

  attach(session: Session): void {
    this.sessions.add(session);
    const closed = this.observe.opened(session.front, "legacy");
    if (closed) this.closers.set(session, closed);
  }

  capabilities(): Record<string, unknown> {
    return capabilities(this.serverHandles);
  }

  instructions(): string | undefined {
    return instructions(this.serverHandles);
  }

  /** A session is gone: drop its subscriptions (unwatching at backends nobody else needs). */
  detach(session: Session): void {
    this.closers.get(session)?.();
    this.closers.delete(session);
    this.sessions.delete(session);
    this.subscriptions.drop(session);
    this.tasks.closed(session);
  }

  /** A modern subscriptions/listen stream opens: it gets what it asked for from now on. */
  listen(listener: Listener): void {
    this.listeners.add(listener);
    this.resources.watch(listener);
  }

  unlisten(listener: Listener): void {
    if (this.listeners.delete(listener)) this.subscriptions.drop(listener);
  }

  /** A client's roots changed: every running backend it reaches may care. */
  rootsChanged(session: Session): void {
    for (const h of this.serverHandles)
      h.notify("notifications/roots/list_changed", undefined, session.owner);
  }

  // ServerEvents

  listsChanged(server: string, kinds: ListKind[]): void {
    this.rebuild(kinds, server);
  }

  private rebuild(kinds: ListKind[], server?: string): void {
    this.catalog.rebuild(this.local, this.servers);
    const methods = new Set(kinds.map((k) => LIST_CHANGED[k]));
    const sees = (role: Role) => server === undefined || this.view(role).servers.has(server);
    for (const s of this.sessions)
      if (s.initialized && sees(s.role)) for (const m of methods) s.notify(m, {});
    for (const l of this.listeners) {
      if (!sees(l.role)) continue;
      const wanted = new Set(kinds.filter((k) => l.wants(k)).map((k) => LIST_CHANGED[k]));
      for (const m of wanted) l.notify(m, {});
    }
  }

  notification(server: string, m: RpcNotification, from: Source): void {
    if (m.method === "notifications/resources/updated")
      return this.subscriptions.updated(from.key, m.params ?? {});
    if (m.method === "notifications/tasks/status")
      return this.tasks.status(from.key, m.params ?? {});
    // A per_session server's process speaks to its own session only.
    for (const s of from.owner ? [from.owner.session] : this.sessions)
      if (s instanceof Session && s.initialized && this.view(s.role).servers.has(server))
        s.notify(m.method, m.params ?? {});
  }

  taskCaller(from: Source, backendTaskId: string): TaskCaller | undefined {
    return this.tasks.callerFor(from.key, backendTaskId);
  }

  fallbackCaller(): Session | undefined {
    if (this.sessions.size !== 1) return undefined;
    const [only] = this.sessions;
    return only;
  }
}
