import { defineCommand } from "citty";
import { SERVER_NAME } from "../config/schema.ts";
import { tokenStore } from "../oauth/store.ts";
import { globalArgs, usageError } from "./argv.ts";
import { writeOut } from "./output.ts";

/** `mcp-gateway logout <server>`: forget a server's OAuth tokens (the client registration stays). */
export default defineCommand({
  meta: { name: "logout", description: "Forget the OAuth tokens stored for a remote server" },
  args: {
    server: { type: "positional", required: true, valueHint: "server", description: "Server name" },
    ...globalArgs,
  },
  async run({ args }) {
    const name = args.server;
    if (!SERVER_NAME.test(name)) throw usageError(`"${name}" is not a server name`);
    const store = tokenStore();
    await writeOut(
      store.forget(name)
        ? `Logged out of "${name}": its tokens are forgotten\n`
        : `No stored login for "${name}"\n`,
    );
  },
});
