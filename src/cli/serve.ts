import { defineCommand } from "citty";
import { DEFAULT_HOST, DEFAULT_PORT } from "../front/http-server.ts";
import { log } from "../log.ts";
import { type RunRecord, removeRun, startTime, writeRun } from "../reload/run-file.ts";
import { globalArgs, parsePort } from "./argv.ts";
import {
  configArg,
  guard,
  metricsPortArg,
  openGateway,
  reloadOnDemand,
  roleArg,
  serveMetrics,
  watchArg,
} from "./common.ts";

/** `mcp-gateway serve`: Streamable HTTP at /mcp and legacy SSE at /sse. */
export default defineCommand({
  meta: { name: "serve", description: "Serve MCP over HTTP (Streamable HTTP and legacy SSE)" },
  args: {
    config: configArg,
    host: {
      type: "string",
      valueHint: "host",
      description: `Address to bind (default ${DEFAULT_HOST})`,
    },
    port: {
      type: "string",
      valueHint: "port",
      description: `Port (default ${DEFAULT_PORT}; 0: any free port)`,
    },
    role: roleArg,
    insecure: { type: "boolean", description: "Allow a non-loopback address without auth.tokens" },
    watch: watchArg,
    "metrics-port": metricsPortArg,
    ...globalArgs,
  },
  async run({ args }) {
    const port = args.port === undefined ? DEFAULT_PORT : parsePort(args.port);
    const metricsPort = args["metrics-port"];
    const metrics =
      metricsPort === undefined ? undefined : parsePort(metricsPort, "--metrics-port");
    const host = args.host ?? DEFAULT_HOST;
    const gw = await openGateway(args);
    let runFile: string | undefined;
    const stopReloading = reloadOnDemand(gw, args.watch !== false);
    try {
      await guard(gw, async () => {
        if (metrics !== undefined) await serveMetrics(gw, metrics);
        const { url } = await gw.serveHttp({ host, port, insecure: args.insecure === true });
        // How `mcp-gateway reload` finds this gateway, and learns how its reload went.
        const record: RunRecord = {
          pid: process.pid,
          started: startTime(process.pid),
          config: gw.configFile ?? null,
          url,
          attempts: 0,
          last: null,
        };
        runFile = writeRun(record);
        gw.onReload((last) => writeRun({ ...record, attempts: gw.reloads, last }));
        log.info(`serving MCP at ${url}`);
        await gw.closed;
      });
    } finally {
      stopReloading();
      removeRun(runFile);
    }
  },
});
