import { defineCommand } from "citty";
import { loginServer } from "../backend/login.ts";
import { loadConfig } from "../config/load.ts";
import { collectSecrets } from "../config/secrets.ts";
import { addSecrets } from "../log.ts";
import { openBrowser } from "../oauth/browser.ts";
import { tokenStore } from "../oauth/store.ts";
import { globalArgs, usageError } from "./argv.ts";
import { configArg } from "./common.ts";
import { writeOut } from "./output.ts";

/** `mcp-gateway login <server>`: the OAuth login in the foreground; the tokens are stored for every later run. */
export default defineCommand({
  meta: {
    name: "login",
    description: "Log in to a remote server that needs OAuth and store its tokens",
  },
  args: {
    server: {
      type: "positional",
      required: true,
      valueHint: "server",
      description: "Server name in the config",
    },
    config: configArg,
    timeout: {
      type: "string",
      valueHint: "seconds",
      description: "How long to wait for the login in the browser (default 300)",
    },
    ...globalArgs,
  },
  async run({ args }) {
    const waitS = args.timeout === undefined ? 300 : Number(args.timeout);
    if (!(waitS > 0))
      throw usageError(`--timeout must be a positive number of seconds, got "${args.timeout}"`);
    const { config } = await loadConfig({ file: args.config });
    addSecrets(collectSecrets(config));
    const name = args.server;
    const server = Object.hasOwn(config.servers, name) ? config.servers[name] : undefined;
    if (!server) {
      const known = Object.keys(config.servers);
      throw usageError(
        `no server "${name}" in the config${known.length ? ` (servers: ${known.join(", ")})` : ""}`,
      );
    }
    const store = tokenStore();
    const outcome = await loginServer(name, server, {
      store,
      waitMs: waitS * 1000,
      announce: (_server, url) => {
        void writeOut(`Open this URL in a browser to log in to "${name}":\n\n  ${url}\n\n`);
        openBrowser(url);
      },
    });
    const tools = `${outcome.tools} tool${outcome.tools === 1 ? "" : "s"}`;
    await writeOut(
      outcome.login.state === "logged in"
        ? `Logged in to "${name}" (${tools}); tokens stored in ${store.file}\n`
        : `"${name}" did not ask for a login (${tools}); nothing stored\n`,
    );
  },
});
