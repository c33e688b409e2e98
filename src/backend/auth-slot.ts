/**
 * A remote server's OAuth, one per configured server: made at its first start (its module and
 * the SDK's client load only for remote servers), kept across restarts, and shared by every
 * process of a `share: per_session` server, so one login (one redirect listener) serves them all.
 */
import { isRemote, type ServerConfig } from "../config/schema.ts";
import type { LoginStatus, ServerAuth } from "../oauth/server-auth.ts";

export class AuthSlot {
  private made?: Promise<ServerAuth | undefined>;
  private auth?: ServerAuth;

  constructor(
    private readonly server: string,
    private readonly config: ServerConfig,
    /** How long a start waits for the person's login: the server's start_timeout at first start. */
    private readonly loginWaitMs: () => number,
  ) {}

  /** The server's OAuth, or undefined when it does not use it (stdio, or `oauth: false`…). */
  get(): Promise<ServerAuth | undefined> {
    this.made ??= this.make().then(
      (a) => {
        this.auth = a;
        return a;
      },
      (e: unknown) => {
        // A failed import is that start's error; the next start tries again.
        this.made = undefined;
        throw e;
      },
    );
    return this.made;
  }

  /** The login's state, for status (never a token); undefined before the first start. */
  get status(): LoginStatus | undefined {
    return this.auth?.status();
  }

  /** Drop a pending login and its redirect listener (the gateway is closing, or a reload replaced it). */
  close(): void {
    this.auth?.close();
  }

  private async make(): Promise<ServerAuth | undefined> {
    const { config } = this;
    if (!isRemote(config)) return undefined;
    const [{ oauthSettings }, { tokenStore }, { ServerAuth }] = await Promise.all([
      import("../oauth/settings.ts"),
      import("../oauth/store.ts"),
      import("../oauth/server-auth.ts"),
    ]);
    const settings = oauthSettings(config);
    if (!settings) return undefined;
    return new ServerAuth({
      server: this.server,
      url: config.url,
      settings,
      store: tokenStore(),
      loginWaitMs: this.loginWaitMs(),
    });
  }
}
