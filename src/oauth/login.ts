// One interactive login in progress: the URL to open, the loopback callback that ends it, its deadline.
import { errorMessage } from "../errors.ts";
import { awaitCallback } from "./callback.ts";

/** How long a login URL stays valid here: afterwards its callback is refused and a new one is made. */
export const LOGIN_TTL_MS = 10 * 60_000;

/** Turns the authorization response (`code`, `state`, `iss`) into stored tokens, or throws. */
export type Exchange = (params: URLSearchParams) => Promise<void>;

export class Login {
  readonly started = Date.now();
  /** The scope asked for, to tell a step-up apart from the same login asked for again. */
  readonly scope: string | undefined;
  /** Resolves once tokens are stored; rejects when the login fails or expires. */
  readonly done: Promise<void>;
  private outcome?: "ok" | Error;
  private release: () => void = () => {};
  private timer?: Timer;
  private settle: (e?: Error) => void = () => {};

  constructor(
    readonly server: string,
    readonly url: string,
    readonly state: string,
    port: number,
    exchange: Exchange,
    ttlMs = LOGIN_TTL_MS,
  ) {
    this.scope = new URL(url).searchParams.get("scope") ?? undefined;
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = (e) => {
        if (this.outcome) return;
        this.outcome = e ?? "ok";
        clearTimeout(this.timer);
        this.release();
        if (e) reject(e);
        else resolve();
      };
    });
    // Nobody may be waiting (the call that started it gave up): a failure must not go unhandled.
    this.done.catch(() => {});
    this.release = awaitCallback(port, state, async (params) => {
      const error = params.get("error");
      try {
        // The authorization server's own description is not shown: it may be an attacker's text.
        if (error) throw new Error(`the authorization server answered "${error.slice(0, 64)}"`);
        await exchange(params);
      } catch (e) {
        this.settle(e instanceof Error ? e : new Error(errorMessage(e)));
        throw e;
      }
      this.settle();
      return `Logged in to "${server}". You can close this tab.`;
    });
    this.timer = setTimeout(
      () =>
        this.settle(
          new Error(`the login was not completed within ${Math.round(ttlMs / 60_000)} min`),
        ),
      ttlMs,
    );
  }

  /** Still waiting for the person (not completed, failed, expired or cancelled). */
  get pending(): boolean {
    return this.outcome === undefined;
  }

  get failure(): Error | undefined {
    return this.outcome instanceof Error ? this.outcome : undefined;
  }

  cancel(reason: string): void {
    this.settle(new Error(reason));
  }

  /** True once the login completed within `ms`; false when it is still pending then; throws when it failed. */
  async wait(ms: number): Promise<boolean> {
    let timer: Timer | undefined;
    const timeout = new Promise<false>((r) => {
      timer = setTimeout(() => r(false), ms);
    });
    try {
      return await Promise.race([this.done.then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
