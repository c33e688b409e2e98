/** The --metrics-port server: the ops routes alone on Bun.serve, for a gateway serving stdio. */
import { errorMessage, GatewayError } from "../errors.ts";
import { ErrorCode } from "../jsonrpc.ts";
import { log } from "../log.ts";
import type { HttpFront, ServeHttpOptions } from "./http-server.ts";
import { createOps, type OpsContext } from "./ops.ts";
import { assertSafeBind, rpcErrorResponse } from "./security.ts";

export async function startOps(ctx: OpsContext, opts: ServeHttpOptions): Promise<HttpFront> {
  const host = opts.host ?? "127.0.0.1";
  const ops = createOps(ctx, host);
  assertSafeBind(host, ops.auth, opts.insecure === true);
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname: host,
      port: opts.port ?? 0,
      async fetch(req) {
        try {
          const r = await ops.route(req, false);
          if (r instanceof Response) return r;
          return rpcErrorResponse(404, -32000, `Not found: ${new URL(req.url).pathname}`);
        } catch (e) {
          log.error(`HTTP ${req.method} ${new URL(req.url).pathname}: ${errorMessage(e)}`);
          return rpcErrorResponse(500, ErrorCode.InternalError, "Internal error");
        }
      },
    });
  } catch (e) {
    throw new GatewayError("USAGE", `cannot listen on ${host}:${opts.port}: ${errorMessage(e)}`);
  }
  const port = server.port ?? 0;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/metrics`,
    port,
    close: () => server.stop(true),
  };
}
