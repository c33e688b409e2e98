// STUB: the HTTP fronts are written in another change.
import type { GatewayConfig } from "../config/schema.ts";
import type { Role } from "../router/roles.ts";
import type { Router } from "../router/router.ts";

export interface ServeHttpOptions {
  host?: string;
  port?: number;
  /** Allow a non-loopback bind without auth.tokens. */
  insecure?: boolean;
}

export interface HttpContext {
  router: Router;
  config: GatewayConfig;
  /** The role for clients when the config has no auth.tokens. */
  role: Role;
}

export interface HttpFront {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startHttp(_ctx: HttpContext, _opts: ServeHttpOptions): Promise<HttpFront> {
  throw new Error("HTTP front not written yet");
}
