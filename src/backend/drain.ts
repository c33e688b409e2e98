/** A backend a reload removed or replaced: it takes no new calls, and is done once nothing runs. */
import { GatewayError } from "../errors.ts";

/** What a request to a server a reload removed or replaced gets. */
export const retiredError = (server: string): GatewayError =>
  new GatewayError("BACKEND_EXIT", `server "${server}" was removed or changed by a config reload`);

export class Drain {
  /** Set once retiring: new calls are refused (only a stale reference can still send one). */
  retired = false;
  private done?: () => void;

  constructor(
    private readonly server: string,
    /** Nothing in flight, nobody waiting for a start, no start going on. */
    private readonly idle: () => boolean,
  ) {}

  error(): GatewayError {
    return retiredError(this.server);
  }

  /** Retire now; resolves once idle, or after `boundMs` (undefined: however long it takes). */
  wait(boundMs: number | undefined): Promise<void> {
    this.retired = true;
    return new Promise<void>((resolve) => {
      const bound = boundMs === undefined ? undefined : setTimeout(() => this.finish(), boundMs);
      this.done = () => {
        clearTimeout(bound);
        resolve();
      };
      this.check();
    });
  }

  /** Something settled (a call, a wait, a start): finish if nothing is left. */
  check(): void {
    if (this.done && this.idle()) this.finish();
  }

  private finish(): void {
    const done = this.done;
    this.done = undefined;
    done?.();
  }
}
