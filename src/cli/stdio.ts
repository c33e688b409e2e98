import { defineCommand } from "citty";
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

/** `mcp-gateway stdio`: MCP over stdin/stdout. Nothing but protocol goes to stdout. */
export default defineCommand({
  meta: { name: "stdio", description: "Serve MCP over stdin/stdout" },
  args: {
    config: configArg,
    role: roleArg,
    watch: watchArg,
    "metrics-port": metricsPortArg,
    ...globalArgs,
  },
  async run({ args }) {
    const metricsPort = args["metrics-port"];
    const metrics =
      metricsPort === undefined ? undefined : parsePort(metricsPort, "--metrics-port");
    const gw = await openGateway(args);
    const stopReloading = reloadOnDemand(gw, args.watch !== false);
    try {
      await guard(gw, async () => {
        if (metrics !== undefined) await serveMetrics(gw, metrics);
        await gw.serveStdio();
        await gw.closed;
      });
    } finally {
      stopReloading();
    }
  },
});
