// Issue 14, modern requests across a reload: request state sealed to a token before the reload is
// still that token's after the tokens are reordered (principal ids are token labels, not list
// positions), and refused once the token is removed. The backend is the SDK's legacy conformance
// server, whose elicitation reaches a modern client as input_required.
import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { MCPGateway } from "../../src/gateway.ts";
import { CONFORMANCE_SERVER } from "../conformance/hosts.ts";
import { modernPost } from "../era/harness.ts";
import { tempDir } from "../helpers/tmp.ts";

const A = "reload-era-token-a-0123";
const B = "reload-era-token-b-4567";
const TOOL = { name: "legacy_test_input_required_result_elicitation", arguments: {} };
const META = { "io.modelcontextprotocol/clientCapabilities": { elicitation: {} } };
const auth = (t: string) => ({ authorization: `Bearer ${t}` });

const open: { gw: MCPGateway; cleanup(): void }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.gw.close();
    o.cleanup();
  }
});

function config(tokens: string[]) {
  return {
    servers: { legacy: { command: process.execPath, args: [CONFORMANCE_SERVER] } },
    roles: { admin: null },
    auth: { tokens: tokens.map((token) => ({ token, role: "admin" })) },
  };
}

describe("modern requests across a reload", () => {
  test("sealed request state outlives a reorder of the tokens, not the removal of its token", async () => {
    const dir = tempDir("mcp-gateway-reload-era-");
    const file = join(dir.path, "gateway.yaml");
    writeFileSync(file, JSON.stringify(config([A, B])));
    const gw = await MCPGateway.fromConfig(file, { cacheDir: join(dir.path, "cache") });
    open.push({ gw, cleanup: dir.cleanup });
    await gw.list({ refresh: true });
    const { url } = await gw.serveHttp({ port: 0 });

    const ask = async (id: number) => {
      const first = await modernPost(url, id, "tools/call", TOOL, { headers: auth(A), meta: META });
      const result = first.body.result as Record<string, unknown>;
      expect(result.resultType).toBe("input_required");
      const [key] = Object.keys(result.inputRequests as object);
      return { state: String(result.requestState), key: key ?? "" };
    };
    const retry = (id: number, asked: { state: string; key: string }) =>
      modernPost(
        url,
        id,
        "tools/call",
        {
          ...TOOL,
          inputResponses: { [asked.key]: { action: "accept", content: { name: "Bob" } } },
          requestState: asked.state,
        },
        { headers: auth(A), meta: META },
      );

    const before = await ask(1);
    writeFileSync(file, JSON.stringify(config([B, A])));
    const reordered = await gw.reload();
    expect(reordered).toMatchObject({ ok: true, changes: ["auth tokens changed"] });
    const done = await retry(2, before);
    expect((done.body.result as { content: unknown[] }).content).toEqual([
      { type: "text", text: "Hello, name=Bob" },
    ]);

    const pending = await ask(3);
    writeFileSync(file, JSON.stringify(config([B])));
    expect((await gw.reload()).ok).toBe(true);
    const refused = await retry(4, pending);
    expect(refused.status).toBe(401);
  }, 60_000);
});
