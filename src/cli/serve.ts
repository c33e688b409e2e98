import { defineCommand } from "citty";
import { DEFAULT_HOST, DEFAULT_PORT } from "../front/http-server.ts";
import { log } from "../log.ts";
import { type RunRecord, removeRun, startTime, writeRun } from "../reload/run-file.ts";
import { globalArgs, usageError } from "./argv.ts";
import { configArg, guard, openGateway, reloadOnDemand, roleArg, watchArg } from "./common.ts";

/** A TCP port; 0 asks the system for a free one. */
export function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw usageError(`--port must be a number from 0 to 65535, got "${value}"`);
  }
  return port;
}

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
    ...globalArgs,
  },
  async run({ args }) {
    const port = args.port === undefined ? DEFAULT_PORT : parsePort(args.port);
    const host = args.host ?? DEFAULT_HOST;
    const gw = await openGateway(args);
    let runFile: string | undefined;
    const stopReloading = reloadOnDemand(gw, args.watch !== false);
    try {
      await guard(gw, async () => {
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
