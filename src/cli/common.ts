/** What the commands that run a gateway share: opening it, signals, stdout. */

import { loadConfig } from "../config/load.ts";
import { collectSecrets } from "../config/secrets.ts";
import { errorMessage, GatewayError } from "../errors.ts";
import { MCPGateway } from "../gateway.ts";
import { addSecrets, log } from "../log.ts";

export const configArg = {
  type: "string",
  valueHint: "file",
  description: "Config file (default: $MCP_GATEWAY_CONFIG, ./gateway.yaml, ./mcp-gateway.yaml)",
} as const;

export const watchArg = {
  type: "boolean",
  default: true,
  description:
    "Reload when the config file or a plugin file changes (--no-watch: only on SIGHUP or `mcp-gateway reload`)",
} as const;

export const roleArg = {
  type: "string",
  valueHint: "role",
  description: "Role whose view to serve (default: $MCP_GATEWAY_ROLE; none: everything)",
} as const;

export const metricsPortArg = {
  type: "string",
  valueHint: "port",
  description: "Also serve /metrics and /status on 127.0.0.1:PORT (0: any free port)",
} as const;

/** The --metrics-port server: says where it listens (stderr), as `serve` does. */
export async function serveMetrics(gw: MCPGateway, port: number): Promise<void> {
  if (!gw.config.metrics)
    log.warn("metrics: false in the config: --metrics-port serves /status only");
  const served = await gw.serveMetrics({ port });
  log.info(`serving /metrics and /status at http://127.0.0.1:${served.port}/metrics`);
}

/** Load the config and build the gateway; config errors surface here, before anything starts. */
export async function openGateway(args: { config?: string; role?: string }): Promise<MCPGateway> {
  const { config, dir, file } = await loadConfig({ file: args.config });
  addSecrets(collectSecrets(config));
  const role = args.role || process.env.MCP_GATEWAY_ROLE || undefined;
  return new MCPGateway({ config, configDir: dir, configFile: file, role });
}

/**
 * Reload on SIGHUP (what `mcp-gateway reload` sends) and, unless `watch` is off, when the config
 * file changes. A reload never stops the gateway: its failure is logged and shown in the status.
 * Returns what undoes the SIGHUP handler.
 */
export function reloadOnDemand(gw: MCPGateway, watch: boolean): () => void {
  if (watch) gw.watchConfig();
  const onHangup = () => {
    log.info("SIGHUP: reloading the config");
    void gw.reload();
  };
  process.on("SIGHUP", onHangup);
  return () => process.off("SIGHUP", onHangup);
}

/**
 * Run `body` with SIGINT/SIGTERM closing the gateway (so backends are stopped,
 * not orphaned). A second signal stops waiting. On any error the gateway is closed.
 */
export async function guard(gw: MCPGateway, body: () => Promise<void>): Promise<void> {
  let signals = 0;
  let giveUp: (e: Error) => void = () => {};
  const interrupted = new Promise<never>((_, reject) => {
    giveUp = reject;
  });
  interrupted.catch(() => {});
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      log.info(`${sig}: shutting down`);
      gw.close().catch((e) => log.error(`while shutting down: ${errorMessage(e)}`));
    } else {
      giveUp(new GatewayError("CLOSED", `${sig} again: exiting without waiting`, 130));
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await Promise.race([body(), interrupted]);
  } catch (e) {
    if (signals < 2) await Promise.race([gw.close(), interrupted]).catch(() => {});
    if (signals > 0 && !(e instanceof GatewayError && e.exitCode === 130)) {
      throw new GatewayError("CLOSED", "interrupted", 130);
    }
    throw e;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
