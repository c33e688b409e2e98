/** `mcp-gateway check`: validate a config (and import its plugins) without starting anything. */
import { defineCommand } from "citty";
import { PluginHost } from "../backend/plugin.ts";
import { loadPlugins } from "../backend/plugin-loader.ts";
import { DEFAULT_FILES, findConfigFile, loadConfig } from "../config/load.ts";
import { collectSecrets } from "../config/secrets.ts";
import { GatewayError } from "../errors.ts";
import { publicApi } from "../gateway.ts";
import { addSecrets } from "../log.ts";
import { globalArgs } from "./argv.ts";
import { configArg } from "./common.ts";
import { writeOut } from "./output.ts";

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

export default defineCommand({
  meta: {
    name: "check",
    description: "Validate a config file without starting anything (exit 0, or 2 with the error)",
  },
  args: { config: configArg, ...globalArgs },
  async run({ args }) {
    // No file is no config to check: unlike serve, check does not fall back to built-ins only.
    const file = await findConfigFile({ file: args.config });
    if (!file)
      throw new GatewayError(
        "CONFIG",
        `no config file found (looked for ${DEFAULT_FILES.join(", ")} in ${process.cwd()})`,
      );
    const { config, dir } = await loadConfig({ file });
    addSecrets(collectSecrets(config));
    // Plugins are imported as a start would import them (their top-level code runs); no server
    // is started and nothing is served.
    const plugins = new PluginHost();
    await loadPlugins(
      plugins,
      config.plugins.map((p) => p.module),
      dir,
      publicApi(),
    );
    const servers = Object.values(config.servers);
    const enabled = servers.filter((s) => s.enabled).length;
    const parts = [
      `${count(servers.length, "server")}${enabled < servers.length ? ` (${enabled} enabled)` : ""}`,
      count(plugins.names().length, "plugin tool"),
      count(Object.keys(config.roles).length, "role"),
      count(config.auth?.tokens.length ?? 0, "token"),
    ];
    await writeOut(`${file}: ok (${parts.join(", ")})\n`);
  },
});
