// A remote server's OAuth as its transport sees it: a token per request, one authorization at a time on 401/403.
import {
  type AuthProvider,
  auth,
  computeScopeUnion,
  extractWWWAuthenticateParams,
  type FetchLike,
  isStrictScopeSuperset,
} from "@modelcontextprotocol/client";
import { errorMessage, GatewayError } from "../errors.ts";
import { log } from "../log.ts";
import { openBrowser } from "./browser.ts";
import { freePort } from "./callback.ts";
import { Login } from "./login.ts";
import { GatewayOAuthProvider, LoginDeferred } from "./provider.ts";
import type { OAuthSettings } from "./settings.ts";
import type { TokenStore } from "./store.ts";

type UnauthorizedContext = Parameters<NonNullable<AuthProvider["onUnauthorized"]>>[0];

export interface ServerAuthOptions {
  server: string;
  url: string;
  settings: OAuthSettings;
  store: TokenStore;
  /** How long a request that needs a login waits for it (serve/stdio: start_timeout). */
  loginWaitMs: number;
  /** Tell the person about a new login URL (default: a log line, and the browser opens it). */
  announce?: (server: string, url: string) => void;
  fetch?: FetchLike;
}

/** What status shows: never a token. */
export type LoginStatus =
  | { state: "pending"; url: string; waiting_s: number }
  | { state: "failed"; error: string }
  | { state: "logged in"; expires_in_s: number | null }
  | { state: "logged out" };

const defaultAnnounce = (server: string, url: string) => {
  log.warn(`server "${server}" needs a login: open ${url} (or run: mcp-gateway login ${server})`);
  openBrowser(url);
};

export class ServerAuth implements AuthProvider {
  readonly provider: GatewayOAuthProvider;
  private login?: Login;
  private inflight?: Promise<void>;
  /** The scopes asked for so far; a step-up asks for their union with the new ones (SEP-2350). */
  private requested?: string;
  /** Scope sets a step-up already obtained and the server still refused: not asked for again. */
  private readonly refused = new Set<string>();

  constructor(private readonly opts: ServerAuthOptions) {
    this.provider = new GatewayOAuthProvider(opts.server, opts.url, opts.settings, opts.store, {
      begin: (url, state) => this.begin(url, state),
    });
  }

  get server(): string {
    return this.opts.server;
  }

  /** The login waiting for the person, if any. */
  get pendingLogin(): Login | undefined {
    return this.login?.pending ? this.login : undefined;
  }

  /** The access token for the next request, renewed first when it is about to expire. */
  async token(): Promise<string | undefined> {
    if (!this.inflight && this.provider.refreshDue()) {
      await this.authorize({}, false, false).catch((e: unknown) => {
        log.info(`server "${this.server}": token refresh failed: ${errorMessage(e)}`);
      });
    }
    return this.provider.tokens()?.access_token;
  }

  /** Authorizations that failed (openBackend does not try another transport after one). */
  failures = 0;

  /** The transport got 401: refresh, or log in, then it retries the request once. */
  async onUnauthorized(ctx: UnauthorizedContext): Promise<void> {
    const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(ctx.response);
    // A token was refused: discover again, in case the server moved to another authorization
    // server (SEP-2352: tokens and registrations of the old one are then not used).
    if (this.provider.tokens()) this.provider.invalidateCredentials("discovery");
    this.requested = computeScopeUnion(this.requested, scope, this.opts.settings.scopes);
    await this.authorize({ resourceMetadataUrl, scope: this.requested }, false, true);
  }

  /**
   * The server answered 403 insufficient_scope: authorize again for the union of what was asked
   * and what it wants now (a fresh login when refreshing cannot widen the grant). Throws when the
   * same scopes were obtained once already and still refused: the loop has to stop somewhere.
   */
  async stepUp(required: string | undefined, resourceMetadataUrl?: URL): Promise<void> {
    const current = this.provider.tokens()?.scope;
    const scope = computeScopeUnion(this.requested, current, required) ?? "";
    if (this.refused.has(scope))
      throw new GatewayError(
        "LOGIN_REQUIRED",
        `server "${this.server}" refuses the request even with scope "${scope}" granted`,
      );
    this.refused.add(scope);
    this.requested = scope || undefined;
    const force = isStrictScopeSuperset(scope, current);
    await this.authorize({ resourceMetadataUrl, scope: scope || undefined }, force, true);
  }

  /** A step-up that worked: its scopes may be asked for again later. */
  stepUpWorked(): void {
    this.refused.clear();
  }

  /** What a request that needs a login answers with. */
  loginMessage(): string {
    const name = this.server;
    const login = this.pendingLogin;
    const failed = this.login?.failure;
    if (login)
      return `server "${name}" needs a login: open ${login.url} in a browser, or run: mcp-gateway login ${name}`;
    return `server "${name}" needs a login${failed ? ` (the last one failed: ${failed.message})` : ""}: run: mcp-gateway login ${name}`;
  }

  status(): LoginStatus {
    const login = this.pendingLogin;
    if (login)
      return {
        state: "pending",
        url: login.url,
        waiting_s: Math.round((Date.now() - login.started) / 1000),
      };
    if (this.login?.failure) return { state: "failed", error: this.login.failure.message };
    const rec = this.opts.store.server(this.server, this.opts.url);
    if (!rec) return { state: "logged out" };
    const left = rec.expires_at ? Math.round((rec.expires_at - Date.now()) / 1000) : null;
    return { state: "logged in", expires_in_s: left };
  }

  /** Forget this server's tokens (its client registration stays: it belongs to the authorization server). */
  logout(): boolean {
    this.login?.cancel("logged out");
    return this.opts.store.forget(this.server);
  }

  /** Stop waiting for a login (the gateway is closing): its listener goes away. */
  close(): void {
    this.login?.cancel("the gateway stopped");
  }

  /** One authorization at a time: concurrent 401s (a list refresh sends several) share it. */
  private authorize(
    opts: { resourceMetadataUrl?: URL; scope?: string },
    force: boolean,
    interactive: boolean,
  ): Promise<void> {
    this.inflight ??= this.run(opts, force, interactive)
      .catch((e: unknown) => {
        this.failures++;
        throw e;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  private async run(
    opts: { resourceMetadataUrl?: URL; scope?: string },
    force: boolean,
    interactive: boolean,
  ): Promise<void> {
    const p = this.provider;
    const options = {
      serverUrl: this.opts.url,
      ...opts,
      forceReauthorization: force,
      fetchFn: this.opts.fetch ?? fetch,
    };
    p.interactive = interactive;
    let result: Awaited<ReturnType<typeof auth>>;
    try {
      try {
        result = await auth(p, options);
      } catch (e) {
        if (!(e instanceof PortBusy) || p.portPinned) throw e;
        // The usual redirect port is taken (another gateway waiting for a login?): use another
        // one, with a registration of its own.
        log.info(`server "${this.server}": ${e.message}; using another port`);
        p.usePort(freePort());
        result = await auth(p, options);
      }
    } catch (e) {
      if (e instanceof LoginDeferred) return;
      throw e;
    } finally {
      p.interactive = true;
    }
    if (result === "AUTHORIZED") return;
    const login = this.login;
    if (!login) throw new GatewayError("LOGIN_REQUIRED", this.loginMessage());
    let done: boolean;
    try {
      done = await login.wait(this.opts.loginWaitMs);
    } catch (e) {
      throw new GatewayError("LOGIN_REQUIRED", `${this.loginMessage()} (${errorMessage(e)})`);
    }
    if (!done) throw new GatewayError("LOGIN_REQUIRED", this.loginMessage());
  }

  /** auth() made an authorization URL: start a login for it, or keep the one already waiting. */
  private begin(url: URL, state: string): void {
    const old = this.pendingLogin;
    // The same login asked for again (the person has not opened the link yet): keep its URL.
    if (old && old.scope === (url.searchParams.get("scope") ?? undefined)) {
      this.provider.dropVerifier(state);
      return;
    }
    old?.cancel("replaced by a login asking for other scopes");
    const port = this.provider.redirectPort;
    if (port === undefined) throw new Error("no redirect port for an interactive login");
    let login: Login;
    try {
      login = new Login(this.server, url.href, state, port, (params) =>
        this.exchange(state, params),
      );
    } catch (e) {
      throw new PortBusy(
        `cannot listen on 127.0.0.1:${port} for the login redirect (${errorMessage(e)})`,
      );
    }
    this.login = login;
    login.done.then(
      () => log.info(`server "${this.server}": logged in`),
      (e: unknown) => log.warn(`server "${this.server}": login failed: ${errorMessage(e)}`),
    );
    (this.opts.announce ?? defaultAnnounce)(this.server, url.href);
  }

  /** The browser came back with a code: the SDK exchanges it (PKCE, resource, client auth). */
  private async exchange(state: string, params: URLSearchParams): Promise<void> {
    const code = params.get("code");
    if (!code) throw new Error("the answer carries no authorization code");
    this.provider.activeState = state;
    const result = await auth(this.provider, {
      serverUrl: this.opts.url,
      authorizationCode: code,
      iss: params.get("iss") ?? undefined,
      fetchFn: this.opts.fetch ?? fetch,
    });
    this.provider.dropVerifier(state);
    if (result !== "AUTHORIZED") throw new Error("the authorization server did not issue tokens");
  }
}

class PortBusy extends Error {}
