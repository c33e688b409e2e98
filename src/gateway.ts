import { defaultCacheDir, SchemaCache } from "./backend/cache.ts";
import { PluginHost } from "./backend/plugin.ts";
import { loadPlugins, PluginFiles } from "./backend/plugin-loader.ts";
import { Pool } from "./backend/pool.ts";
import type { ServerEvents } from "./backend/types.ts";
import { loadConfig } from "./config/load.ts";
import { type ConfigInput, ConfigSchema, type GatewayConfig } from "./config/schema.ts";
import { collectSecrets } from "./config/secrets.ts";
import { errorMessage, GatewayError } from "./errors.ts";
import type { ServeHttpOptions } from "./front/http-server.ts";
import { type StdioIO, serveStdio } from "./front/stdio.ts";
import { buildListReport, type ListReport } from "./list-report.ts";
import { addSecrets, log } from "./log.ts";
import { VALID_NAME } from "./names.ts";
import { AuditLog } from "./observe/audit.ts";
import type { Exposition } from "./observe/exposition.ts";
import { Hub } from "./observe/hub.ts";
import { startTraces, tracing } from "./observe/trace-state.ts";
import {
  type GatewayTool,
  isTool,
  type Shape,
  type ToolHandler,
  type ToolOptions,
  tool,
  z,
} from "./plugin.ts";
import { type Live, ReloadControl } from "./reload/control.ts";
import type { ReloadOutcome } from "./reload/reloader.ts";
import type { LocalTool } from "./router/catalog.ts";
import type { Role } from "./router/roles.ts";
import { Router } from "./router/router.ts";
import { searchTools } from "./router/search-tools.ts";
import { principalLabel, Settings } from "./router/settings.ts";
import { statusTool } from "./router/status.ts";

export type { ListReport, ReloadOutcome, ServeHttpOptions };

export interface GatewayOptions {
  /** Parsed config (validated here) or nothing for built-in tools only. */
  config?: ConfigInput | GatewayConfig;
  /** Folder that relative paths in the config are relative to (default: cwd). */
  configDir?: string;
  /** The role every client of this gateway gets (stdio, or HTTP without tokens). */
  role?: string;
  /** Schema cache folder (default: $XDG_CACHE_HOME/mcp-gateway). */
  cacheDir?: string;
  /** The file the config was read from: what reload() reads again and watchConfig() watches. */
  configFile?: string;
}

export interface HttpServing {
  url: string;
  port: number;
}

/** Something serving clients that close() must stop. */
interface Front {
  close(): Promise<void>;
}

/**
 * The gateway: config → backends (lazy) → router → fronts. The CLI is built on it.
 *
 * @example
 * ```ts
 * import { MCPGateway, tool, z } from "mcp-gateway";
 * await using gw = await MCPGateway.fromConfig("gateway.yaml");
 * gw.registerTool(tool({ description: "Add", input: { a: z.number(), b: z.number() } }, ({ a, b }) => a + b), "add");
 * await gw.serveStdio();
 * ```
 */
export class MCPGateway {
  readonly cache: SchemaCache;
  readonly router: Router;
  /** Where calls, sessions and backend events are reported: metrics, audit log, traces. */
  readonly observe = new Hub();
  private readonly pool: Pool;
  /** The config, its folder and the plugins: what a reload replaces. */
  private readonly live: Live;
  private readonly file?: string;
  /** Tools given to registerTool: every plugin host a reload builds gets them too. */
  private readonly registered: { tool: GatewayTool; name: string }[] = [];
  /** Where serveHttp listens: a reload may not drop the tokens a public address needs. */
  private readonly binds: { host: string; insecure: boolean }[] = [];
  private readonly reloading: ReloadControl;
  private metrics?: Promise<Exposition | undefined>;
  /** Token labels of the running config by principal id, for the audit log. */
  private labels?: { config: GatewayConfig; names: Map<string, string> };
  private readonly ready: Promise<void>;
  private readonly fronts: Front[] = [];
  private closing?: Promise<void>;
  private resolveClosed!: () => void;
  /** Resolves when the gateway has stopped serving (stdin closed, signal, close()). */
  readonly closed = new Promise<void>((r) => {
    this.resolveClosed = r;
  });

  /** Load a config file (discovery as the CLI does when `path` is omitted) and its plugins. */
  static async fromConfig(
    path?: string,
    opts: Omit<GatewayOptions, "config" | "configDir"> = {},
  ): Promise<MCPGateway> {
    const { config, dir, file } = await loadConfig({ file: path });
    addSecrets(collectSecrets(config));
    const gw = new MCPGateway({ ...opts, config, configDir: dir, configFile: file });
    await gw.ready;
    return gw;
  }

  constructor(options: GatewayOptions = {}) {
    const parsed = ConfigSchema.safeParse(options.config ?? {});
    if (!parsed.success)
      throw new GatewayError("CONFIG", `invalid config: ${parsed.error.message}`);
    this.live = {
      config: parsed.data,
      dir: options.configDir ?? process.cwd(),
      plugins: new PluginHost(),
      pluginFiles: new PluginFiles(),
    };
    this.file = options.configFile;
    const settings = new Settings(this.live.config, options.role);
    this.cache = new SchemaCache(options.cacheDir ?? defaultCacheDir());
    if (this.config.audit_log)
      this.observe.audit = new AuditLog(this.config.audit_log, this.configDir, (p) =>
        this.tokenLabel(p),
      );
    let router: Router | undefined;
    const events: ServerEvents = {
      listsChanged: (s, k) => router?.listsChanged(s, k),
      notification: (s, m, from) => router?.notification(s, m, from),
      fallbackCaller: () => router?.fallbackCaller(),
      taskCaller: (from, id) => router?.taskCaller(from, id),
    };
    this.pool = new Pool(this.config, this.cache, events, this.observe);
    const servers = this.pool.handles.map((handle) => {
      const s = this.config.servers[handle.name];
      return { handle, prefix: s?.prefix ?? handle.name };
    });
    router = new Router(servers, this.localTools(), settings);
    router.cacheDir = this.cache.dir;
    router.observe = this.observe;
    this.router = router;
    this.ready = Promise.all([
      loadPlugins(
        this.live.plugins,
        this.config.plugins.map((p) => p.module),
        this.configDir,
        publicApi(),
        this.live.pluginFiles,
      ).then(() => this.router.setLocalTools(this.localTools())),
      startTraces(),
    ]).then(() => {});
    // A failed plugin load surfaces from the first serve/list call, not as an unhandled rejection.
    this.ready.catch(() => {});
    this.reloading = new ReloadControl({
      pool: this.pool,
      router: this.router,
      localTools: (host, config) => this.localTools(host, config),
      live: this.live,
      file: options.configFile,
      startRole: options.role,
      binds: this.binds,
      registered: this.registered,
      api: publicApi,
      ready: this.ready,
      closing: () => this.closing !== undefined,
    });
    this.router.configStatus = () => this.reloading.status();
  }

  /** The running config (a reload replaces it). */
  get config(): GatewayConfig {
    return this.live.config;
  }
  /** Folder that relative paths in the running config are relative to. */
  get configDir(): string {
    return this.live.dir;
  }
  /** The file the config was read from (reload() reads it again). */
  get configFile(): string | undefined {
    return this.file;
  }
  /** The role every stdio client (and HTTP client, without tokens) gets. */
  get role(): Role {
    return this.router.settings.startRole;
  }

  /** Built-in tools, then the plugins of `host`, as `config` (the running one, or a reload's) says. */
  private localTools(host = this.live.plugins, config = this.live.config): LocalTool[] {
    // Plugin calls honour call_timeout too; a reload may change it, and this is where a plugin
    // host meets the config it serves under (start, registerTool, every reload).
    host.callTimeoutMs = config.call_timeout * 1000;
    const status = statusTool(
      () => this.router,
      () => this.live.plugins.names(),
    );
    // Off means transparent: the search tools are not even reserved names then.
    const search = config.tool_search.mode === "off" ? [] : searchTools(() => this.router);
    return [status, ...search, ...host.defs().map((def) => ({ def, target: host }))];
  }

  /**
   * Read the config file again and apply what changed, keeping every call in flight (README:
   * "Reload"). A config that does not load changes nothing; the outcome says why. Never rejects.
   */
  reload(): Promise<ReloadOutcome> {
    return this.reloading.reload();
  }

  /** Reload whenever the config file or a plugin file changes (debounced); close() stops it. */
  watchConfig(): void {
    this.reloading.watch();
  }

  /** Called after every reload, applied or not. */
  onReload(listener: (o: ReloadOutcome) => void): () => void {
    return this.reloading.onOutcome(listener);
  }

  /** Reloads tried so far. */
  get reloads(): number {
    return this.reloading.attempts;
  }

  /**
   * Add an in-process tool: a `tool(...)` value (named by `name` or its own name),
   * or a plain function with `{ name, description, input }`. A name already taken
   * (by another registerTool or a plugin module) is an error, never an overwrite.
   *
   * @example
   * ```ts
   * gw.registerTool(add);                 // add = tool({ name: "add", ... }, handler)
   * gw.registerTool(add, "plus");         // the same tool under another name
   * gw.registerTool(({ s }) => s.toUpperCase(), {
   *   name: "upper", description: "Upper-case a string", input: { s: z.string() },
   * });
   * ```
   */
  registerTool(t: GatewayTool, name?: string): this;
  registerTool<I extends Shape, O extends Shape | undefined = undefined>(
    fn: ToolHandler<I, O>,
    options: ToolOptions<I, O> & { name: string },
  ): this;
  registerTool<I extends Shape, O extends Shape | undefined = undefined>(
    t: GatewayTool | ToolHandler<I, O>,
    opt?: string | (ToolOptions<I, O> & { name: string }),
  ): this {
    let value: GatewayTool;
    let name: string | undefined;
    if (isTool(t)) {
      value = t;
      name = typeof opt === "string" ? opt : t.name;
    } else if (typeof t === "function" && typeof opt === "object") {
      value = tool(opt, t);
      name = opt.name;
    } else {
      throw new GatewayError(
        "PLUGIN",
        "registerTool takes a tool(...) value, or a function and { name, description, input }",
      );
    }
    if (!name)
      throw new GatewayError(
        "PLUGIN",
        "registerTool: the tool needs a name (tool({ name }) or registerTool(t, name))",
      );
    if (!VALID_NAME.test(name))
      throw new GatewayError(
        "PLUGIN",
        `registerTool: "${name}" is not a valid tool name (${VALID_NAME.source})`,
      );
    const taken = this.live.plugins.register(value, name);
    if (taken)
      throw new GatewayError("PLUGIN", `registerTool: a tool named "${name}" exists (${taken})`);
    this.registered.push({ tool: value, name });
    this.router.setLocalTools(this.localTools());
    return this;
  }

  /** Serve MCP on this process's stdin/stdout; resolves when stdin closes (and the gateway has closed). */
  async serveStdio(io?: StdioIO): Promise<void> {
    await this.ready;
    await serveStdio(this.router, this.role, io);
    await this.close();
  }

  /** Serve Streamable HTTP (/mcp) and legacy SSE (/sse) on Bun.serve, with /status and /metrics. */
  async serveHttp(opts: ServeHttpOptions = {}): Promise<HttpServing> {
    return this.startServer(opts, false);
  }

  /**
   * Serve only /metrics, /status and /healthz (no MCP) on 127.0.0.1 (or `host`): the stdio
   * front's way to be scraped. Same Host/Origin checks and bearer tokens as the HTTP front.
   */
  async serveMetrics(opts: ServeHttpOptions = {}): Promise<HttpServing> {
    return this.startServer(opts, true);
  }

  private async startServer(opts: ServeHttpOptions, opsOnly: boolean): Promise<HttpServing> {
    await this.ready;
    const metrics = await this.metricsOn();
    const ctx = { router: this.router, config: this.config, role: this.role, metrics };
    // The ops-only server does not load the MCP transports (idle memory).
    const served = opsOnly
      ? await (await import("./front/ops-server.ts")).startOps(ctx, opts)
      : await (await import("./front/http-server.ts")).startHttp(ctx, opts);
    // Both bind 127.0.0.1 by default (DEFAULT_HOST, not imported: the ops server skips that module).
    this.binds.push({ host: opts.host ?? "127.0.0.1", insecure: opts.insecure === true });
    this.fronts.push(served);
    return { url: served.url, port: served.port };
  }

  /** The audit log's name for a principal: its token's `label` in the running config, or its id. */
  private tokenLabel(principal: string): string {
    if (this.labels?.config !== this.config) {
      const names = new Map<string, string>();
      for (const t of this.config.auth?.tokens ?? [])
        if (t.label) names.set(principalLabel(t.token), t.label);
      this.labels = { config: this.config, names };
    }
    return this.labels.names.get(principal) ?? principal;
  }

  /** Metrics start when something will serve them, before it serves: no call goes uncounted. */
  private metricsOn(): Promise<Exposition | undefined> {
    if (!this.config.metrics) return Promise.resolve(undefined);
    this.metrics ??= (async () => {
      const [{ Metrics }, { Exposition }] = await Promise.all([
        import("./observe/metrics.ts"),
        import("./observe/exposition.ts"),
      ]);
      const metrics = new Metrics({
        servers: () =>
          this.pool.handles.map((h) => ({
            name: h.name,
            state: h.displayState,
            inFlight: h.inFlight,
            processes: h.processes,
          })),
      });
      this.observe.metrics = metrics;
      return new Exposition(metrics);
    })();
    return this.metrics;
  }

  /** Alias of serveHttp, for people coming from the Python original. */
  serveSse(opts: ServeHttpOptions = {}): Promise<HttpServing> {
    return this.serveHttp(opts);
  }

  /** What `mcp-gateway list` shows; with refresh, each server is started once to fill the cache. */
  async list(opts: { refresh?: boolean } = {}): Promise<ListReport> {
    await this.ready;
    if (opts.refresh) {
      await Promise.all(
        this.pool.handles.map(async (h) => {
          try {
            await h.discover();
          } catch (e) {
            log.error(`server "${h.name}": ${errorMessage(e)}`);
          } finally {
            await h.stop("list --refresh done");
          }
        }),
      );
    }
    return buildListReport(this.config, this.router, this.role);
  }

  /** Stop serving and stop every backend (stdin close, SIGTERM, SIGKILL to each group). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.reloading.close();
      await Promise.all(this.fronts.map((f) => f.close().catch(() => {})));
      for (const s of [...this.router.sessions]) s.close();
      this.router.modern.closeAll();
      await this.pool.closeAll();
      // After the stops: calls they failed are in the log before it closes.
      this.observe.audit?.close();
      await tracing?.flush();
      this.resolveClosed();
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * The values `import … from "mcp-gateway"` gives a plugin: what src/index.ts exports (a test
 * keeps the two in step). Built here, not imported from index.ts, which imports this file.
 */
export const publicApi = (): Record<string, unknown> => ({
  GatewayError,
  MCPGateway,
  isTool,
  tool,
  z,
});
