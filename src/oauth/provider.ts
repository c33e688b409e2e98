// The SDK's OAuthClientProvider for one remote server: tokens, client identity, PKCE verifier, redirect URI.
import type {
  OAuthClientInformationContext,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from "@modelcontextprotocol/client";
import { GatewayError } from "../errors.ts";
import { freePort, redirectUri } from "./callback.ts";
import type { OAuthSettings } from "./settings.ts";
import type { TokenStore } from "./store.ts";

/** Thrown from redirectToAuthorization when a login must not start now (a background refresh). */
export class LoginDeferred extends Error {
  constructor() {
    super("a new login is needed");
  }
}

export interface ProviderHooks {
  /** auth() wants the person to open `url`; `state` identifies the answer that will come back. */
  begin(url: URL, state: string): void;
}

/** An access token this close to its expiry (or a quarter of its life) is refreshed first. */
const SKEW_MS = 60_000;

export class GatewayOAuthProvider implements OAuthClientProvider {
  /** False while refreshing in the background: a login then waits for a request that needs it. */
  interactive = true;
  /** The `state` whose verifier the token exchange in progress uses. */
  activeState = "";
  private lastState = "";
  private readonly verifiers = new Map<string, string>();
  private discovery?: OAuthDiscoveryState;
  private port?: number;
  /** The redirect port is fixed (config, or a fresh one after the usual one was busy). */
  private portFixed: boolean;
  private lastRegistration?: { issuer: string; clientId: string };

  constructor(
    readonly server: string,
    readonly url: string,
    readonly settings: OAuthSettings,
    private readonly store: TokenStore,
    private readonly hooks: ProviderHooks,
  ) {
    this.port = settings.redirect_port;
    this.portFixed = settings.redirect_port !== undefined;
  }

  get machine(): boolean {
    return this.settings.grant === "client_credentials";
  }

  get redirectUrl(): string | undefined {
    if (this.machine) return undefined;
    this.port ??= freePort();
    return redirectUri(this.port);
  }

  get redirectPort(): number | undefined {
    return this.machine ? undefined : this.port;
  }

  get portPinned(): boolean {
    return this.portFixed;
  }

  /** Use another port from now on (the usual one was busy): it needs a registration of its own. */
  usePort(port: number): void {
    this.port = port;
    this.portFixed = true;
  }

  get clientMetadataUrl(): string | undefined {
    return this.settings.client_metadata_url;
  }

  get clientMetadata(): OAuthClientMetadata {
    const redirect = this.redirectUrl;
    // One registration serves every server behind the authorization server: named after none.
    return {
      client_name: "mcp-gateway",
      redirect_uris: redirect ? [redirect] : [],
      ...(this.machine
        ? { grant_types: ["client_credentials"], response_types: [] }
        : // Said explicitly so the SDK asks for offline_access where offered: refresh tokens.
          { grant_types: ["authorization_code", "refresh_token"], response_types: ["code"] }),
      ...(this.settings.scopes ? { scope: this.settings.scopes } : {}),
    };
  }

  state(): string {
    this.lastState = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
    return this.lastState;
  }

  /**
   * The client identity, in the spec's order: a Client ID Metadata Document where the server
   * supports it, then the configured client, then a registration made earlier (undefined: the
   * SDK registers one, see saveClientInformation).
   */
  clientInformation(ctx?: OAuthClientInformationContext): StoredOAuthClientInformation | undefined {
    const s = this.settings;
    const issuer = ctx?.issuer;
    const cimd = this.discovery?.authorizationServerMetadata?.client_id_metadata_document_supported;
    if (s.client_metadata_url && cimd === true && !this.machine)
      return { client_id: s.client_metadata_url, issuer };
    if (s.client_id)
      return {
        client_id: s.client_id,
        ...(s.client_secret ? { client_secret: s.client_secret } : {}),
        issuer,
      };
    if (!issuer) return undefined;
    const regs = this.store.registrations(issuer);
    let reg = regs.find((r) => r.redirect_uri === this.redirectUrl);
    // One registration per authorization server serves every server behind it: adopt its port.
    if (!reg && !this.portFixed && regs[0]) {
      reg = regs[0];
      this.port = Number(new URL(reg.redirect_uri).port);
    }
    if (!reg) return undefined;
    this.lastRegistration = { issuer, clientId: reg.info.client_id };
    return { ...reg.info, issuer } as StoredOAuthClientInformation;
  }

  saveClientInformation(
    info: StoredOAuthClientInformation,
    ctx?: OAuthClientInformationContext,
  ): void {
    const s = this.settings;
    if (info.client_id === s.client_metadata_url || info.client_id === s.client_id) return;
    const issuer = ctx?.issuer ?? info.issuer;
    const redirect = this.redirectUrl;
    if (!issuer || !redirect) return;
    this.store.saveRegistration({ issuer, redirect_uri: redirect, info: { ...info } });
    this.lastRegistration = { issuer, clientId: info.client_id };
  }

  tokens(): StoredOAuthTokens | undefined {
    const rec = this.store.server(this.server, this.url);
    return rec ? ({ ...rec.tokens } as StoredOAuthTokens) : undefined;
  }

  saveTokens(tokens: StoredOAuthTokens): void {
    const expires_at = tokens.expires_in ? Date.now() + tokens.expires_in * 1000 : undefined;
    this.store.setServer(this.server, { url: this.url, tokens: { ...tokens }, expires_at });
  }

  /** True when the access token should be renewed before it is sent. */
  refreshDue(now = Date.now()): boolean {
    const rec = this.store.server(this.server, this.url);
    if (!rec?.expires_at) return false;
    const life = (rec.tokens.expires_in ?? 0) * 1000;
    const canRenew = rec.tokens.refresh_token !== undefined || this.machine;
    return canRenew && rec.expires_at - now < Math.min(SKEW_MS, life / 4);
  }

  redirectToAuthorization(authorizationUrl: URL): void {
    if (!this.interactive) throw new LoginDeferred();
    this.hooks.begin(authorizationUrl, this.lastState);
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifiers.set(this.lastState, codeVerifier);
  }

  codeVerifier(): string {
    const v = this.verifiers.get(this.activeState);
    if (!v) throw new Error("no PKCE verifier for this login (it was replaced or has expired)");
    return v;
  }

  /** A login that will never complete lets its verifier go. */
  dropVerifier(state: string): void {
    this.verifiers.delete(state);
  }

  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): void {
    if (scope === "all" || scope === "tokens") this.store.forget(this.server);
    if ((scope === "all" || scope === "client") && this.lastRegistration) {
      this.store.dropRegistration(this.lastRegistration.issuer, this.lastRegistration.clientId);
      this.lastRegistration = undefined;
    }
    if (scope === "all" || scope === "verifier") this.verifiers.clear();
    if (scope === "all" || scope === "discovery") this.discovery = undefined;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    // Unasked (no `oauth` in config), a server that publishes no OAuth metadata is not sent to a
    // browser: its 401 more likely means a missing static credential.
    if (
      this.settings.mode === "auto" &&
      !state.resourceMetadata &&
      !state.authorizationServerMetadata
    )
      throw new GatewayError(
        "BACKEND_START",
        `server "${this.server}" answered 401 but publishes no OAuth metadata; configure its credential in headers, or set oauth: true`,
      );
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  prepareTokenRequest(scope?: string): URLSearchParams | undefined {
    if (!this.machine) return undefined;
    const params = new URLSearchParams({ grant_type: "client_credentials" });
    if (scope) params.set("scope", scope);
    return params;
  }
}
