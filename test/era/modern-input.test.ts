// Bad modern-era input gets the modern era's answers (codes and HTTP statuses), on Streamable HTTP
// and on stdio, and a legacy session on the same stdio connection goes on unharmed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { MCPGateway } from "../../src/gateway.ts";
import { stdioPipe } from "../helpers/stdio-pipe.ts";
import { type EraGateway, MODERN, modernPost, startGateway } from "./harness.ts";

let g: EraGateway;
beforeAll(async () => {
  g = await startGateway();
}, 60_000);
afterAll(async () => {
  await g.close();
});

const errorOf = (body: Record<string, unknown>) =>
  body.error as { code: number; message: string; data?: unknown };

describe("Streamable HTTP, modern requests", () => {
  test("a missing envelope: 400 -32602; a missing capability object too", async () => {
    const res = await fetch(g.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": MODERN,
        "mcp-method": "tools/list",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32602);
    const noCaps = await modernPost(
      g.url,
      2,
      "tools/list",
      {},
      {
        meta: { "io.modelcontextprotocol/clientCapabilities": undefined },
      },
    );
    expect(noCaps.status).toBe(400);
    expect(errorOf(noCaps.body).code).toBe(-32602);
  });

  test("versions: header and body disagree (-32020), or one the gateway does not speak (-32022)", async () => {
    const mismatch = await modernPost(
      g.url,
      3,
      "tools/list",
      {},
      {
        headers: { "mcp-protocol-version": "2025-11-25" },
      },
    );
    expect([mismatch.status, errorOf(mismatch.body).code]).toEqual([400, -32020]);
    const unknown = await modernPost(
      g.url,
      4,
      "tools/list",
      {},
      {
        headers: { "mcp-protocol-version": "2099-01-01" },
        meta: { "io.modelcontextprotocol/protocolVersion": "2099-01-01" },
      },
    );
    expect([unknown.status, errorOf(unknown.body).code]).toEqual([400, -32022]);
    expect(errorOf(unknown.body).data).toEqual({ supported: [MODERN], requested: "2099-01-01" });
    expect(unknown.body.id).toBe(4);
  });

  test("standard headers: Mcp-Method and Mcp-Name must say what the body says", async () => {
    const noMethod = await modernPost(
      g.url,
      5,
      "tools/list",
      {},
      { headers: { "mcp-method": "" } },
    );
    expect(noMethod.status).toBe(400);
    const wrongName = await modernPost(
      g.url,
      6,
      "tools/call",
      { name: "legacy_test_simple_text", arguments: {} },
      { headers: { "mcp-name": "legacy_test_error_handling" } },
    );
    expect([wrongName.status, errorOf(wrongName.body).code]).toEqual([400, -32020]);
    const encoded = await modernPost(
      g.url,
      7,
      "tools/call",
      { name: "legacy_test_simple_text", arguments: {} },
      { headers: { "mcp-name": `=?base64?${btoa("legacy_test_simple_text")}?=` } },
    );
    expect(encoded.status).toBe(200);
    const badBase64 = await modernPost(
      g.url,
      8,
      "tools/call",
      { name: "legacy_test_simple_text", arguments: {} },
      { headers: { "mcp-name": "=?base64?bGVnYWN5?=" } },
    );
    expect([badBase64.status, errorOf(badBase64.body).code]).toEqual([400, -32020]);
  });

  test("x-mcp-header arguments: Mcp-Param headers must match the arguments", async () => {
    const call = (id: number, headers: Record<string, string>) =>
      modernPost(
        g.url,
        id,
        "tools/call",
        { name: "legacy_test_x_mcp_header", arguments: { region: "us-west1" } },
        { headers },
      );
    expect((await call(9, { "mcp-param-region": "us-west1" })).status).toBe(200);
    const missing = await call(10, {});
    expect([missing.status, errorOf(missing.body).code]).toEqual([400, -32020]);
    const wrong = await call(11, { "mcp-param-region": "eu-west1" });
    expect([wrong.status, errorOf(wrong.body).code]).toEqual([400, -32020]);
  });

  test("methods the modern era removed: 404 -32601; an unknown tool stays in-band", async () => {
    for (const method of ["initialize", "ping", "logging/setLevel", "resources/subscribe"]) {
      const res = await modernPost(g.url, 12, method, { uri: "test://static-text", level: "info" });
      expect([res.status, errorOf(res.body).code]).toEqual([404, -32601]);
    }
    const unknown = await modernPost(g.url, 13, "tools/call", { name: "nope", arguments: {} });
    expect([unknown.status, errorOf(unknown.body).code]).toEqual([200, -32602]);
  });

  test("every result is shaped for the modern era: resultType, cache hints, the gateway's identity", async () => {
    const list = await modernPost(g.url, 14, "tools/list");
    const result = list.body.result as Record<string, unknown>;
    expect(result.resultType).toBe("complete");
    expect(typeof result.ttlMs).toBe("number");
    expect(["public", "private"]).toContain(result.cacheScope as string);
    expect((result._meta as Record<string, unknown>)["io.modelcontextprotocol/serverInfo"]).toEqual(
      expect.objectContaining({ name: "mcp-gateway" }),
    );
    const discover = await modernPost(g.url, 15, "server/discover");
    expect((discover.body.result as { supportedVersions: unknown }).supportedVersions).toEqual([
      MODERN,
    ]);
    const missing = await modernPost(g.url, 16, "resources/read", { uri: "test://nowhere" });
    expect(errorOf(missing.body).code).toBe(-32602);
  });
});

describe("stdio, both eras on one connection", () => {
  test("modern requests get modern answers while a legacy session goes on beside them", async () => {
    const gw = new MCPGateway({ config: {} });
    const got: Array<{ id?: unknown; result?: Record<string, unknown>; error?: { code: number } }> =
      [];
    const pipe = stdioPipe<(typeof got)[number]>((m) => got.push(m));
    const served = gw.serveStdio(pipe.io);
    const meta = {
      "io.modelcontextprotocol/protocolVersion": MODERN,
      "io.modelcontextprotocol/clientCapabilities": {},
    };
    pipe.send({ id: "m1", method: "tools/list", params: { _meta: meta } });
    pipe.send({
      id: "m2",
      method: "tools/list",
      params: { _meta: { "io.modelcontextprotocol/protocolVersion": MODERN } },
    });
    pipe.send({
      id: "m3",
      method: "tools/list",
      params: { _meta: { ...meta, "io.modelcontextprotocol/protocolVersion": "2099-01-01" } },
    });
    pipe.send({ id: "m4", method: "ping", params: { _meta: meta } });
    pipe.send({
      id: "l1",
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "l", version: "1" },
      },
    });
    pipe.send({ id: "l2", method: "tools/list" });
    const byId = async (id: string) => {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const m = got.find((x) => x.id === id);
        if (m) return m;
        if (Date.now() > deadline) throw new Error(`no answer to ${id}`);
        await Bun.sleep(5);
      }
    };
    expect((await byId("m1")).result?.resultType).toBe("complete");
    expect((await byId("m2")).error?.code).toBe(-32602);
    expect((await byId("m3")).error?.code).toBe(-32022);
    expect((await byId("m4")).error?.code).toBe(-32601);
    expect((await byId("l1")).result?.protocolVersion).toBe("2025-11-25");
    const legacyList = await byId("l2");
    expect(legacyList.result?.tools).toBeDefined();
    expect(legacyList.result?.resultType).toBeUndefined();
    pipe.end();
    await served;
  });
});

describe("cache scope of the gateway's lists", () => {
  /** tools/list as a modern stdio client gets it from a gateway with `config`. */
  async function scopeOf(config: Record<string, unknown>): Promise<unknown> {
    const gw = new MCPGateway({ config });
    let result: Record<string, unknown> | undefined;
    const pipe = stdioPipe<{ result?: Record<string, unknown> }>((m) => {
      result = m.result;
    });
    const served = gw.serveStdio(pipe.io);
    pipe.send({
      id: 1,
      method: "tools/list",
      params: {
        _meta: {
          "io.modelcontextprotocol/protocolVersion": MODERN,
          "io.modelcontextprotocol/clientCapabilities": {},
        },
      },
    });
    const deadline = Date.now() + 5_000;
    while (!result && Date.now() < deadline) await Bun.sleep(5);
    pipe.end();
    await served;
    return result?.cacheScope;
  }

  test("public when every caller sees the same list; private with roles, tokens or tool search", async () => {
    expect(await scopeOf({ tool_search: { mode: "off" } })).toBe("public");
    expect(await scopeOf({ tool_search: { mode: "off" }, roles: { ro: ["gateway_*"] } })).toBe(
      "private",
    );
    expect(await scopeOf({ tool_search: { mode: "on" } })).toBe("private");
  });
});
