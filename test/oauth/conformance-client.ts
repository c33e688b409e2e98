// The gateway as the client under test of the conformance suite's auth scenarios:
//   conformance client --suite auth --command "bun test/oauth/conformance-client.ts"
// The suite appends the server URL and passes the scenario's context (pre-registered client) in
// $MCP_CONFORMANCE_CONTEXT. This writes a config with that URL as an OAuth remote server, runs
// `mcp-gateway stdio` on it with $BROWSER set to a stand-in that follows the redirects, calls
// the placeholder tool (the first call: it starts the backend and logs in) and then the
// scenario's tool. With CONFORMANCE_PATH=login it runs `mcp-gateway login` first instead.
// Exit 0 when the tool answered without error.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/paths.ts";
import { initialize, spawnRpc } from "../helpers/rpc.ts";

const url = process.argv[2];
if (!url) {
  console.error("usage: conformance-client.ts <server-url>");
  process.exit(2);
}
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? "{}") as Record<string, unknown>;
const dir = mkdtempSync(join(tmpdir(), "conformance-oauth-"));
const oauth: Record<string, unknown> = {
  client_metadata_url: "https://conformance-test.local/client-metadata.json",
};
if (typeof context.client_id === "string") oauth.client_id = context.client_id;
if (typeof context.client_secret === "string") oauth.client_secret = context.client_secret;
// The machine-to-machine scenario (an extension) hands a client_id and secret for client_credentials.
if (process.env.MCP_CONFORMANCE_SCENARIO === "auth/client-credentials-basic")
  oauth.grant = "client_credentials";
const config = join(dir, "gateway.json");
writeFileSync(
  config,
  JSON.stringify({ start_timeout: 20, servers: { conf: { url, transport: "http", oauth } } }),
);
const env = {
  XDG_STATE_HOME: join(dir, "state"),
  XDG_CACHE_HOME: join(dir, "cache"),
  BROWSER: `${process.execPath} ${join(ROOT, "test/oauth/follow-redirect.ts")}`,
  MCP_GATEWAY_LOG: "debug",
};
const main = join(ROOT, "src/main.ts");

let ok = false;
try {
  if (process.env.CONFORMANCE_PATH === "login") {
    const login = Bun.spawnSync(
      [process.execPath, main, "login", "conf", "--config", config, "--timeout", "20"],
      {
        env: { ...process.env, ...env },
        stderr: "inherit",
        stdout: "inherit",
      },
    );
    if (login.exitCode !== 0) throw new Error(`login exited ${login.exitCode}`);
  }
  const gw = spawnRpc(process.execPath, [main, "stdio", "--config", config], {
    env,
    timeout: 25_000,
  });
  try {
    await initialize(gw);
    const connect = await gw.request("tools/call", { name: "_conf_connect", arguments: {} });
    console.error(`connect: ${JSON.stringify(connect.result ?? connect.error)}`);
    const call = await gw.request("tools/call", { name: "conf_test-tool", arguments: {} });
    console.error(`test-tool: ${JSON.stringify(call.result ?? call.error)}`);
    ok = call.result !== undefined && call.result.isError !== true;
  } finally {
    gw.close();
    await Promise.race([gw.exited, Bun.sleep(5000)]);
    gw.kill();
    console.error(gw.stderrText());
  }
} catch (e) {
  console.error(`conformance-client: ${e instanceof Error ? e.message : String(e)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
