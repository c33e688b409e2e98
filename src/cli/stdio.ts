import { defineCommand } from "citty";
import { globalArgs } from "./argv.ts";
import { configArg, guard, openGateway, reloadOnDemand, roleArg, watchArg } from "./common.ts";

/** `mcp-gateway stdio`: MCP over stdin/stdout. Nothing but protocol goes to stdout. */
export default defineCommand({
  meta: { name: "stdio", description: "Serve MCP over stdin/stdout" },
  args: { config: configArg, role: roleArg, watch: watchArg, ...globalArgs },
  async run({ args }) {
    const gw = await openGateway(args);
    const stopReloading = reloadOnDemand(gw, args.watch !== false);
    try {
      await guard(gw, async () => {
        await gw.serveStdio();
        await gw.closed;
      });
    } finally {
      stopReloading();
    }
  },
});
