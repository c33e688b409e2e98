// Forwarding through the gateway (stdio CLI) against the fixture server: pagination, fields the
// SDK would strip, progress, cancellation, call_timeout, sampling/elicitation/roots relays, prompts,
// resources, completion, logging. The fixture marks what happened inside it in FIXTURE_PID_DIR.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import {
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { fixtureCommand } from "../helpers/fixture.ts";
import { MAIN } from "../helpers/paths.ts";
import { killTree, markersIn, waitFor } from "../helpers/proc.ts";
import {
  callTool,
  connectStdio,
  Loose,
  type LooseResult,
  listAll,
  type StdioConnection,
} from "../helpers/sdk.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";

/** What the media server's one tool answers: every content kind and result-level extras. */
const MEDIA_RESULT = {
  content: [
    {
      type: "text",
      text: "t",
      annotations: { audience: ["user"], priority: 0.5 },
      _meta: { k: 1 },
    },
    { type: "image", data: "aW1n", mimeType: "image/png" },
    {
      type: "audio",
      data: "YXVkaW8=",
      mimeType: "audio/wav",
      annotations: { lastModified: "2025-01-01T00:00:00Z" },
    },
    {
      type: "resource_link",
      uri: "media://x",
      name: "x",
      title: "X",
      mimeType: "text/plain",
      size: 3,
      icons: [{ src: "data:," }],
    },
    {
      type: "resource",
      resource: {
        uri: "media://y",
        mimeType: "application/octet-stream",
        blob: "AAE=",
        _meta: { m: true },
      },
    },
    { type: "resource", resource: { uri: "media://z", text: "zz" } },
  ],
  structuredContent: { nested: { list: [1, "two", null, { deep: true }] } },
  isError: false,
  _meta: { "media.test/trace": "abc" },
  "x-extra": [1, 2, 3],
};
const MEDIA_TOOL = { name: "media", inputSchema: { type: "object" }, "x-def": { keep: 1 } };
const MEDIA_ERROR = { code: -32042, message: "custom failure", data: { why: "asked" } };

/** A raw stdio server (no SDK in the way) whose answers are exactly the objects above. */
const MEDIA_SERVER = `
const result = ${JSON.stringify(MEDIA_RESULT)};
const tool = ${JSON.stringify(MEDIA_TOOL)};
const failure = ${JSON.stringify(MEDIA_ERROR)};
const send = (m) => process.stdout.write(JSON.stringify({ jsonrpc: "2.0", ...m }) + "\\n");
let buf = "";
process.stdin.on("data", (chunk) => {
  buf += chunk;
  for (let i = buf.indexOf("\\n"); i >= 0; i = buf.indexOf("\\n")) {
    const m = JSON.parse(buf.slice(0, i));
    buf = buf.slice(i + 1);
    if (m.id === undefined || m.method === undefined) continue;
    if (m.method === "initialize")
      send({ id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: "media", version: "1" } } });
    else if (m.method === "tools/list") send({ id: m.id, result: { tools: [tool] } });
    else if (m.method === "tools/call" && m.params.arguments && m.params.arguments.fail) send({ id: m.id, error: failure });
    else if (m.method === "tools/call") send({ id: m.id, result });
    else send({ id: m.id, error: { code: -32601, message: "nope" } });
  }
});
process.stdin.on("end", () => process.exit(0));
`;

let dir: TempDir;
let pids: string;
let media: string;
let gw: StdioConnection;
let direct: StdioConnection;
const logs: unknown[] = [];
const updates: string[] = [];

function gatewayConfig(): string {
  const fx = (flags: string[], extra: Record<string, unknown> = {}) => ({
    ...fixtureCommand(flags),
    env: { FIXTURE_PID_DIR: pids },
    ...extra,
  });
  const file = join(dir.path, "gateway.yaml");
  writeFileSync(
    file,
    JSON.stringify({
      servers: {
        fx: fx(["--page-size", "3"]),
        timeouts: fx([], { call_timeout: 1 }),
        many: fx(["--tools", "1100", "--page-size", "400"]),
        media: { command: process.execPath, args: [media] },
      },
      // 1,100 tools weigh far past tool_search.auto_tokens: these tests are about the full list.
      tool_search: { mode: "off" },
    }),
  );
  return file;
}

beforeAll(async () => {
  dir = tempDir("forwarding-");
  pids = join(dir.path, "pids");
  media = join(dir.path, "media-server.js");
  mkdirSync(pids);
  writeFileSync(media, MEDIA_SERVER);
  const config = gatewayConfig();
  const { command, args } = fixtureCommand(["--page-size", "3"]);
  [gw, direct] = await Promise.all([
    connectStdio(process.execPath, [MAIN, "stdio", "--config", config], {
      env: { XDG_CACHE_HOME: dir.path },
    }),
    connectStdio(command, args, { env: { FIXTURE_PID_DIR: pids } }),
  ]);
  gw.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logs.push(n.params.data);
  });
  gw.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    updates.push(n.params.uri);
  });
  for (const name of ["fx", "timeouts", "many", "media"]) {
    const r = await callTool(gw.client, `_${name}_connect`);
    expect(r.isError).toBeUndefined();
  }
});

afterAll(async () => {
  for (const c of [gw, direct]) {
    if (!c) continue;
    await c.close().catch(() => {});
    await killTree(c.pid);
  }
  dir?.cleanup();
});

const cancelledIds = () => markersIn(pids, "cancelled-");

describe("lists", () => {
  test("a backend's pages (page size 3) are assembled whole, every field kept", async () => {
    for (const method of [
      "tools/list",
      "prompts/list",
      "resources/list",
      "resources/templates/list",
    ] as const) {
      const theirs = await listAll(direct.client, method);
      const mine = (await listAll(gw.client, method)).filter((d) =>
        String(d.name).startsWith("fx_"),
      );
      expect(mine).toEqual(theirs.map((d) => ({ ...d, name: `fx_${d.name}` })));
    }
    const echo = (await listAll(gw.client, "tools/list")).find((d) => d.name === "fx_echo");
    expect(echo).toMatchObject({
      "x-custom": { kept: true },
      _meta: { "fixture.test/origin": "fixture" },
    });
  });

  test("the gateway pages its own long list with an opaque cursor; no tool lost or repeated", async () => {
    const first = await gw.client.request({ method: "tools/list", params: {} }, Loose);
    expect(typeof first.nextCursor).toBe("string");
    const all = await listAll(gw.client, "tools/list");
    const names = all.map((d) => String(d.name));
    expect(new Set(names).size).toBe(names.length);
    for (let i = 0; i < 1100; i++) expect(names).toContain(`many_t${i}`);
    expect(names).toContain("fx_echo");
  });
});

describe("results", () => {
  test("every content kind and result-level _meta/unknown fields pass unchanged", async () => {
    expect(await callTool(gw.client, "media_media")).toEqual(MEDIA_RESULT);
    const def = (await listAll(gw.client, "tools/list")).find((d) => d.name === "media_media");
    expect(def).toEqual({ ...MEDIA_TOOL, name: "media_media" });
  });

  test("structuredContent and isError from the backend", async () => {
    expect(await callTool(gw.client, "fx_add", { a: 2, b: 3 })).toEqual(
      await callTool(direct.client, "add", { a: 2, b: 3 }),
    );
    const failed = await callTool(gw.client, "fx_fail");
    expect(failed).toEqual(await callTool(direct.client, "fail"));
    expect(failed.isError).toBe(true);
  });

  test("a backend's JSON-RPC error reaches the client with its code, message and data", async () => {
    const e = await callTool(gw.client, "media_media", { fail: true }).catch((err: unknown) => err);
    // The SDK puts "MCP error <code>: " before the message it received.
    expect(e).toMatchObject({
      code: MEDIA_ERROR.code,
      data: MEDIA_ERROR.data,
      message: `MCP error ${MEDIA_ERROR.code}: ${MEDIA_ERROR.message}`,
    });
  });
});

describe("prompts, resources, completion, logging", () => {
  test("prompts/get, resources/read (listed and templated), completion/complete", async () => {
    const same = async (method: string, mine: Record<string, unknown>, theirs = mine) =>
      expect(await gw.client.request({ method, params: mine }, Loose)).toEqual(
        await direct.client.request({ method, params: theirs }, Loose),
      );
    await same(
      "prompts/get",
      { name: "fx_greet", arguments: { name: "Ada" } },
      {
        name: "greet",
        arguments: { name: "Ada" },
      },
    );
    await same("resources/read", { uri: "fixture://static" });
    await same("resources/read", { uri: "fixture://item/42" });
    const arg = { name: "name", value: "b" };
    await same(
      "completion/complete",
      { ref: { type: "ref/prompt", name: "fx_greet" }, argument: arg },
      {
        ref: { type: "ref/prompt", name: "greet" },
        argument: arg,
      },
    );
    await same("completion/complete", {
      ref: { type: "ref/resource", uri: "fixture://item/{id}" },
      argument: { name: "id", value: "a" },
    });
  });

  test("resources/subscribe is forwarded and resources/updated comes back", async () => {
    await gw.client.request(
      { method: "resources/subscribe", params: { uri: "fixture://static" } },
      Loose,
    );
    await waitFor(() => updates.includes("fixture://static"), { message: "resources/updated" });
  });

  test("logging/setLevel fans out to running backends; notifications/message come back", async () => {
    await gw.client.setLoggingLevel("warning");
    const level = await callTool(gw.client, "fx_level");
    expect(level.content).toEqual([{ type: "text", text: "warning" }]);
    const r = await callTool(gw.client, "fx_notify", { count: 3 });
    expect(r.content).toEqual([{ type: "text", text: "sent 3" }]);
    await waitFor(() => logs.includes("message 3 of 3"), { message: "log messages" });
    expect(logs).toContain("message 1 of 3");
  });
});

describe("progress, cancellation, timeouts", () => {
  test("progress notifications arrive with the client's own token", async () => {
    const progress: { progress: number; total?: number }[] = [];
    const r = await gw.client.request(
      { method: "tools/call", params: { name: "fx_slow", arguments: { ms: 400 } } },
      Loose,
      { onprogress: (p) => progress.push(p), timeout: 10_000 },
    );
    expect(r.content).toEqual([{ type: "text", text: "slept 400 ms" }]);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p, i) => p.total === 8 && p.progress === i + 1)).toBe(true);
  });

  test("cancelling a call stops it at the backend", async () => {
    const before = cancelledIds().length;
    const ac = new AbortController();
    const pending = gw.client
      .request({ method: "tools/call", params: { name: "fx_hang", arguments: {} } }, Loose, {
        signal: ac.signal,
      })
      .catch((e: unknown) => e);
    // The backend must have the call before the cancel can reach it.
    await waitFor(async () => {
      const status = await callTool(gw.client, "gateway_status");
      const { servers } = status.structuredContent as {
        servers: { name: string; in_flight: number }[];
      };
      return (servers.find((s) => s.name === "fx")?.in_flight ?? 0) >= 1;
    });
    ac.abort("test cancels");
    expect(await pending).toBeInstanceOf(Error);
    await waitFor(() => cancelledIds().length > before, { message: "cancelled-<id> marker" });
  });

  test("call_timeout: a tool error naming the server and the timeout, cancelled at the backend", async () => {
    const before = cancelledIds().length;
    const r: LooseResult = await callTool(gw.client, "timeouts_hang", {}, { timeout: 15_000 });
    expect(r.isError).toBe(true);
    const text = JSON.stringify(r.content);
    expect(text).toContain('server \\"timeouts\\"');
    expect(text).toContain("call_timeout");
    await waitFor(() => cancelledIds().length > before, { message: "cancelled at the backend" });
    // The server is still usable afterwards.
    const ok = await callTool(gw.client, "timeouts_echo", { text: "still alive" });
    expect(ok.content).toEqual([{ type: "text", text: "still alive" }]);
  });
});

describe("backend-to-client requests", () => {
  test("sampling, elicitation and roots reach the calling client and the answers return", async () => {
    const s = await callTool(gw.client, "fx_sample", { prompt: "hi there" });
    expect(s.content).toEqual([{ type: "text", text: "sampled: hi there" }]);
    const e = await callTool(gw.client, "fx_elicit", { message: "who?" });
    expect(JSON.parse((e.content as { text: string }[])[0]?.text ?? "")).toEqual({
      action: "accept",
      content: { name: "test-user" },
    });
    const r = await callTool(gw.client, "fx_roots");
    expect(JSON.parse((r.content as { text: string }[])[0]?.text ?? "")).toEqual({
      roots: [{ uri: "file:///tmp/fixture-root", name: "fixture-root" }],
    });
  });

  test("a client without sampling/elicitation gets a clear error, not a hang", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MAIN, "stdio", "--config", join(dir.path, "gateway.yaml")],
      env: { ...(process.env as Record<string, string>), XDG_CACHE_HOME: dir.path },
      stderr: "pipe",
    });
    const bare = new Client({ name: "bare", version: "1" }, { capabilities: {} });
    await bare.connect(transport);
    const pid = transport.pid;
    try {
      for (const [tool, cap] of [
        ["fx_sample", "sampling"],
        ["fx_elicit", "elicitation"],
        ["fx_roots", "roots"],
      ] as const) {
        const r = await callTool(bare, tool, {}, { timeout: 10_000 });
        expect(r.isError).toBe(true);
        expect(JSON.stringify(r.content)).toContain(`does not support ${cap}`);
      }
    } finally {
      await bare.close().catch(() => {});
      if (pid !== null) await killTree(pid);
    }
  });
});
