import { defineCommand } from "citty";
import { globalArgs } from "./argv.ts";
import { configArg, guard, openGateway, roleArg } from "./common.ts";

/** `mcp-gateway stdio`: MCP over stdin/stdout. Nothing but protocol goes to stdout. */
export default defineCommand({
  meta: { name: "stdio", description: "Serve MCP over stdin/stdout" },
  args: { config: configArg, role: roleArg, ...globalArgs },
  async run({ args }) {
    const gw = await openGateway(args);
    await guard(gw, async () => {
      await gw.serveStdio();
      await gw.closed;
    });
  },
});
