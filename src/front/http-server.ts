import { errorMessage, GatewayError } from "../errors.ts";
import { createHttpHandler, type HttpContext } from "./http.ts";
import { assertSafeBind } from "./security.ts";

export type { HttpContext };

export interface ServeHttpOptions {
  host?: string;
  port?: number;
  /** Allow a non-loopback bind without auth.tokens. */
  insecure?: boolean;
}

export interface HttpFront {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 8765;

/**
 * Serve the gateway over HTTP on Bun.serve: Streamable HTTP at /mcp, legacy SSE at /sse,
 * /healthz and /status. Binds 127.0.0.1 unless told otherwise, and refuses a non-loopback
 * address without auth.tokens unless `insecure`.
 */
export async function startHttp(ctx: HttpContext, opts: ServeHttpOptions): Promise<HttpFront> {
  const host = opts.host ?? DEFAULT_HOST;
  const handler = createHttpHandler(ctx, host);
  assertSafeBind(host, handler.auth, opts.insecure === true);
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({ hostname: host, port: opts.port ?? DEFAULT_PORT, fetch: handler.fetch });
  } catch (e) {
    throw new GatewayError(
      "USAGE",
      `cannot listen on ${host}:${opts.port ?? DEFAULT_PORT}: ${errorMessage(e)}`,
    );
  }
  const port = server.port ?? 0;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}/mcp`,
    port,
    close() {
      closing ??= (async () => {
        // Stop listening; connections already open may still finish their requests.
        void server.stop(false);
        await handler.close();
        await server.stop(true);
      })();
      return closing;
    },
  };
}
