import { isRemote, type ServerConfig } from "../config/schema.ts";
import type { Era } from "../era/versions.ts";
import { errorMessage, GatewayError } from "../errors.ts";
import { log } from "../log.ts";
import type { ServerAuth } from "../oauth/server-auth.ts";
import type { ServerInfo } from "../protocol.ts";
import type { Channel } from "./channel.ts";
import { Connection, type ConnectionHandlers } from "./connection.ts";
import { discover, ProbeClosed } from "./discover.ts";
import { handshake } from "./handshake.ts";
import type { RemoteChannel, RemoteMode } from "./remote-channel.ts";
import { StdioChannel } from "./stdio-channel.ts";

export interface Opened {
  conn: Connection;
  info: ServerInfo;
}

const withTail = (msg: string, channel: Channel): string => {
  const tail = channel.stderrTail?.();
  return tail && !msg.includes(tail) ? `${msg}; last stderr lines:\n${tail}` : msg;
};

/** Log lines stay one line each, even when a server answers with a whole HTML page. */
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ").trim();

/**
 * Start a backend and initialize it, within `timeoutMs`. Remote `transport: auto`
 * tries Streamable HTTP first and falls back to legacy SSE (SPEC 2). Aborting
 * `signal` (the gateway is stopping) gives up at once and stops what was started.
 * With `auth`, a server that needs a login fails with LOGIN_REQUIRED, naming the URL to open.
 */
export async function openBackend(
  name: string,
  config: ServerConfig,
  timeoutMs: number,
  handlers: (conn: () => Connection) => ConnectionHandlers,
  signal?: AbortSignal,
  /** The era cached with the schemas; unknown: probe (server/discover, then initialize). */
  era?: Era,
  /** Told when the probe itself settled the era (the backend exited on it: legacy). */
  onVerdict?: (era: Era) => void,
  auth?: ServerAuth,
): Promise<Opened> {
  const modes: Array<RemoteMode | "stdio"> = !isRemote(config)
    ? ["stdio"]
    : config.transport === "auto"
      ? ["http", "sse"]
      : [config.transport];
  let lastError: unknown;
  const authFailures = auth?.failures ?? 0;
  for (const mode of modes) {
    // The SDK's HTTP client loads only when a remote server is first opened.
    const channel: Channel = isRemote(config)
      ? new (await import("./remote-channel.ts")).RemoteChannel(
          config.url,
          config.headers,
          mode as RemoteMode,
          auth,
        )
      : new StdioChannel(name, {
          command: config.command,
          args: config.args,
          env: config.env,
          cwd: config.cwd,
        });
    let conn: Connection | undefined;
    conn = new Connection(
      name,
      channel,
      handlers(() => conn as Connection),
      (reason) => new GatewayError("BACKEND_EXIT", `server "${name}" ${reason}`),
    );
    // While the era probe runs, a legacy server's refusal of it is expected, not worth a warning.
    const probing = false;
    channel.onerror = (e) =>
      (probing ? log.debug : log.warn)(`server "${name}": ${oneLine(errorMessage(e))}`);
    let timer: Timer | undefined;
    let onAbort = () => {};
    try {
      // Rejects on start_timeout or when the server is stopped meanwhile.
      const giveUp = new Promise<never>((_, reject) => {
        onAbort = () =>
          reject(new GatewayError("BACKEND_EXIT", `server "${name}" was stopped while starting`));
        if (signal?.aborted) onAbort();
        signal?.addEventListener("abort", onAbort, { once: true });
        timer = setTimeout(
          () =>
            reject(
              new GatewayError(
                "START_TIMEOUT",
                withTail(
                  `server "${name}" did not finish starting within ${timeoutMs / 1000} s (start_timeout)`,
                  channel,
                ),
              ),
            ),
          timeoutMs,
        );
      });
      const c = conn;
      const begin = async (): Promise<ServerInfo> => {
        await channel.start();
        const modern =
          era === "legacy" ? undefined : await discover(c, timeoutMs, era === "modern");
        return modern ?? handshake(c, name, timeoutMs);
      };
      const info = await Promise.race([begin(), giveUp]);
      return { conn, info };
    } catch (e) {
      lastError = e;
      await channel.close().catch(() => {});
      if (signal?.aborted) break;
      // It exited on the probe (some legacy servers do): start it again, legacy this time.
      if (e instanceof ProbeClosed) {
        onVerdict?.("legacy");
        return openBackend(name, config, timeoutMs, handlers, signal, "legacy", undefined, auth);
      }
      // Another transport would only ask for the same login.
      if (auth && ((channel as RemoteChannel).loginNeeded || auth.pendingLogin))
        throw new GatewayError("LOGIN_REQUIRED", auth.loginMessage());
      // Nor would it fix an authorization that failed (registration refused, bad metadata…).
      if (auth && auth.failures > authFailures) break;
      if (mode === "http" && modes.length > 1)
        log.info(
          `server "${name}": Streamable HTTP failed (${oneLine(errorMessage(e))}); trying legacy SSE`,
        );
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }
  if (lastError instanceof GatewayError) throw lastError;
  throw new GatewayError(
    "BACKEND_START",
    `server "${name}" failed to start: ${errorMessage(lastError)}`,
  );
}
