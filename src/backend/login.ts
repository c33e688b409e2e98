// `mcp-gateway login`: connect to one remote server in the foreground, logging in when it asks,
// and read its tools once so that a server protecting only some methods asks too.
import { isRemote, type ServerConfig } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import type { RpcRequest } from "../jsonrpc.ts";
import { type LoginStatus, ServerAuth } from "../oauth/server-auth.ts";
import { oauthSettings } from "../oauth/settings.ts";
import type { TokenStore } from "../oauth/store.ts";
import type { Connection } from "./connection.ts";
import { fetchList, supports } from "./lists.ts";
import { openBackend } from "./open.ts";

export interface LoginOptions {
  store: TokenStore;
  /** How long to wait for the person to finish in the browser. */
  waitMs: number;
  /** Show the login URL (the browser is opened by the caller's choice too). */
  announce(server: string, url: string): void;
}

export interface LoginOutcome {
  login: LoginStatus;
  tools: number;
}

/** Log in to server `name` afresh (its old tokens are forgotten first) and store the tokens. */
export async function loginServer(
  name: string,
  config: ServerConfig,
  opts: LoginOptions,
): Promise<LoginOutcome> {
  if (!isRemote(config))
    throw new GatewayError("USAGE", `server "${name}" runs a command; only remote servers log in`);
  const settings = oauthSettings(config);
  if (!settings)
    throw new GatewayError(
      "USAGE",
      `server "${name}" ${config.oauth === false ? "has oauth: false" : "sends a configured Authorization header"}; set oauth: true to log in`,
    );
  opts.store.forget(name);
  const auth = new ServerAuth({
    server: name,
    url: config.url,
    settings,
    store: opts.store,
    loginWaitMs: opts.waitMs,
    announce: opts.announce,
  });
  let conn: Connection | undefined;
  const refuse = (m: RpcRequest) =>
    conn?.respond(m.id, undefined, { code: -32601, message: "not available during login" });
  // The handshake itself may wait for the whole login.
  const timeoutMs = opts.waitMs + 30_000;
  try {
    const opened = await openBackend(
      name,
      config,
      timeoutMs,
      () => ({ onNotification: () => {}, onRequest: refuse, onClose: () => {} }),
      undefined,
      undefined,
      undefined,
      auth,
    );
    conn = opened.conn;
    const tools = supports(opened.info, "tools")
      ? (await fetchList(conn, "tools", timeoutMs)).length
      : 0;
    return { login: auth.status(), tools };
  } finally {
    await conn?.channel.close();
    auth.close();
  }
}
