// Tests of the test fixtures themselves: if these fail, gateway test failures mean nothing.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type EverythingServer, startEverythingHttp } from "./fixtures/http-everything.ts";
import { FIXTURE_SERVER as SERVER } from "./helpers/fixture.ts";
import {
  catchesSignal,
  isAlive,
  killTree,
  markersIn,
  pidsIn,
  processGroupMembers,
  waitFor,
} from "./helpers/proc.ts";
import { initialize, type RpcProcess, type SpawnRpcOptions, spawnRpc } from "./helpers/rpc.ts";
import { callTool, connectStdio, listAll, type StdioConnection } from "./helpers/sdk.ts";
import { type TempDir, tempDir } from "./helpers/tmp.ts";

const BUN = process.execPath;

let pidDir: TempDir | undefined;
const started: number[] = [];
const connections: StdioConnection[] = [];

function freshPidDir(): string {
  pidDir = tempDir("fixture-pids-");
  return pidDir.path;
}

function fixture(args: string[] = [], opts: SpawnRpcOptions = {}): RpcProcess {
  const rpc = spawnRpc(BUN, [SERVER, ...args], opts);
  started.push(rpc.pid);
  return rpc;
}

const text = (res: { result?: Record<string, unknown> }): unknown =>
  (res.result?.content as { text?: string }[] | undefined)?.[0]?.text;

afterEach(async () => {
  for (const c of connections.splice(0)) await c.close().catch(() => {});
  const dir = pidDir?.path;
  const pids = [
    ...started.splice(0),
    ...(dir ? [...pidsIn(dir), ...pidsIn(dir, "grandchild-")] : []),
  ];
  for (const pid of pids) await killTree(pid);
  pidDir?.cleanup();
  pidDir = undefined;
});

describe("fixture server over raw JSON-RPC", () => {
  test("initialize echoes a supported version, falls back otherwise, and records its pid", async () => {
    const dir = freshPidDir();
    const rpc = fixture([], { env: { FIXTURE_PID_DIR: dir } });
    const res = await initialize(rpc, "2025-03-26");
    expect(res.result?.protocolVersion).toBe("2025-03-26");
    expect(res.result?.serverInfo).toEqual({ name: "fixture", version: "1.0.0" });
    expect(res.result?.capabilities).toMatchObject({ resources: { subscribe: true } });
    const other = await rpc.request("initialize", { protocolVersion: "1999-01-01" });
    expect(other.result?.protocolVersion).toBe("2025-11-25");
    expect(pidsIn(dir)).toEqual([rpc.pid]);
    await waitFor(() => rpc.stderrText().includes(`fixture started pid=${rpc.pid}`));
  });

  test("tools/list carries unusual fields and echo answers", async () => {
    const rpc = fixture();
    await initialize(rpc);
    const list = await rpc.request("tools/list");
    const tools = list.result?.tools as Record<string, unknown>[];
    const echo = tools.find((t) => t.name === "echo");
    expect(echo).toMatchObject({ title: "Fixture echo", "x-custom": { kept: true } });
    expect(echo?.icons).toBeArray();
    expect(list.result?.nextCursor).toBeUndefined();
    expect(text(await rpc.request("tools/call", { name: "echo", arguments: { text: "hi" } }))).toBe(
      "hi",
    );
  });

  test("malformed lines give -32700, unknown methods -32601", async () => {
    const rpc = fixture();
    rpc.writeLine("{not json");
    const parseError = await rpc.waitForMessage((m) => m.error?.code === -32700);
    expect(parseError.id).toBeNull();
    expect((await rpc.request("no/such/method")).error?.code).toBe(-32601);
  });

  test("crash exits with the given code and says so on stderr", async () => {
    const rpc = fixture();
    await initialize(rpc);
    await expect(
      rpc.request("tools/call", { name: "crash", arguments: { code: 7 } }),
    ).rejects.toThrow(/exited \(code 7\)/);
    expect(await rpc.exited).toBe(7);
    expect(rpc.stderrText()).toContain("crashing");
  });

  test("--crash-on-start and --exit-after-init exit with their codes", async () => {
    expect(await fixture(["--crash-on-start=3"]).exited).toBe(3);
    const rpc = fixture(["--exit-after-init=4"]);
    const res = await initialize(rpc);
    expect(res.result?.protocolVersion).toBe("2025-11-25");
    expect(await rpc.exited).toBe(4);
  });

  test("--hang-on-start never answers initialize", async () => {
    const rpc = fixture(["--hang-on-start"]);
    await expect(initialize(rpc, "2025-11-25", 1000)).rejects.toThrow(/no answer within 1000 ms/);
    expect(isAlive(rpc.pid)).toBe(true);
  });

  test("--grandchild leaves a SIGTERM-proof process in the same group", async () => {
    const dir = freshPidDir();
    const rpc = fixture(["--grandchild"], { env: { FIXTURE_PID_DIR: dir }, detached: true });
    await initialize(rpc);
    const [grandchild] = await waitFor(() => {
      const found = pidsIn(dir, "grandchild-");
      return found.length > 0 && found;
    });
    if (grandchild === undefined) throw new Error("no grandchild pid");
    expect(processGroupMembers(rpc.pid)).toContain(grandchild);
    await waitFor(() => catchesSignal(grandchild, "SIGTERM"), {
      message: "grandchild handling SIGTERM",
    });
    rpc.close();
    expect(await rpc.exited).toBe(0);
    // The parent is gone; the grandchild lives on as an orphan until its group is killed.
    expect(isAlive(grandchild)).toBe(true);
    process.kill(-rpc.pid, "SIGKILL");
    await waitFor(() => !isAlive(grandchild), { message: "grandchild to die with its group" });
  });

  test("--ignore-sigterm and --ignore-stdin-eof keep the process running", async () => {
    const rpc = fixture(["--ignore-sigterm", "--ignore-stdin-eof"]);
    await initialize(rpc);
    expect(catchesSignal(rpc.pid, "SIGTERM")).toBe(true);
    rpc.close();
    await waitFor(() => rpc.stderrText().includes("stdin closed, staying alive"));
    expect(isAlive(rpc.pid)).toBe(true);
  });

  test("slow sends progress and a cancel leaves a marker instead of an answer", async () => {
    const dir = freshPidDir();
    const rpc = fixture([], { env: { FIXTURE_PID_DIR: dir } });
    await initialize(rpc);
    const call = rpc.request("tools/call", {
      name: "slow",
      arguments: { ms: 60_000 },
      _meta: { progressToken: "tok" },
    });
    call.catch(() => {});
    const progress = await rpc.waitForMessage((m) => m.method === "notifications/progress");
    expect(progress.params).toMatchObject({ progressToken: "tok", progress: 1 });
    const id = 2; // initialize was 1
    rpc.notify("notifications/cancelled", { requestId: id, reason: "test" });
    await waitFor(() => markersIn(dir, "cancelled-").includes(String(id)));
    await waitFor(() => rpc.stderrText().includes(`cancelled ${id}`));
  });

  test("noisy stdout, flooded stderr and notification flood still deliver every message", async () => {
    const rpc = fixture(["--noisy-stdout", "--stderr-flood=200000", "--notify-flood=30"]);
    await initialize(rpc);
    await waitFor(
      () => rpc.messages.filter((m) => m.method === "notifications/message").length >= 30,
    );
    expect(rpc.junk.length).toBeGreaterThan(0);
    expect(rpc.stderrText().length).toBeGreaterThanOrEqual(200_000);
    expect(
      text(await rpc.request("tools/call", { name: "big", arguments: { bytes: 100_000 } })),
    ).toHaveLength(100_000);
  });

  test("--tool-prefix, --tools and --list-changed-after change the list", async () => {
    const rpc = fixture(["--tool-prefix=v2_", "--tools=3", "--list-changed-after=0"]);
    await initialize(rpc);
    await rpc.waitForMessage((m) => m.method === "notifications/tools/list_changed");
    const tools = (await rpc.request("tools/list")).result?.tools as { name: string }[];
    const names = tools.map((t) => t.name);
    expect(names).toContain("v2_t2");
    expect(names).toContain("v2_late");
    expect(names.every((n) => n.startsWith("v2_"))).toBe(true);
    expect((await rpc.request("tools/call", { name: "echo", arguments: {} })).error?.code).toBe(
      -32602,
    );
  });
});

describe("fixture server through the SDK client", () => {
  test("pagination, structured output, env and client requests", async () => {
    const conn = await connectStdio(BUN, [SERVER, "--page-size", "4", "--tools=5"], {
      env: { FIXTURE_SECRET: "s3cret" },
    });
    connections.push(conn);
    started.push(conn.pid);
    const { client } = conn;
    const tools = await listAll(client, "tools/list");
    expect(tools.map((t) => t.name)).toContain("t4");
    expect(tools.find((t) => t.name === "add")?.["x-custom"]).toEqual({ kept: true });
    expect((await callTool(client, "add", { a: 2, b: 3 })).structuredContent).toEqual({ sum: 5 });
    const first = (r: Record<string, unknown>) => (r.content as { text: string }[])[0]?.text;
    expect(first(await callTool(client, "env", { name: "FIXTURE_SECRET" }))).toBe("s3cret");
    expect(first(await callTool(client, "sample", { prompt: "hello" }))).toBe("sampled: hello");
    expect(first(await callTool(client, "elicit"))).toContain("test-user");
    expect(first(await callTool(client, "roots"))).toContain("fixture-root");
    expect(await listAll(client, "resources/templates/list")).toHaveLength(1);
    await client.setLoggingLevel("debug");
    expect(first(await callTool(client, "level"))).toBe("debug");
    const read = await client.readResource({ uri: "fixture://item/42" });
    expect(read.contents[0]).toMatchObject({ text: "item 42" });
  });
});

describe("server-everything over HTTP", () => {
  const servers: EverythingServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
  });

  for (const mode of ["streamableHttp", "sse"] as const) {
    test(`${mode}: an SDK client lists its tools`, async () => {
      const server = await startEverythingHttp(mode);
      servers.push(server);
      const url = new URL(server.url);
      const transport =
        mode === "sse" ? new SSEClientTransport(url) : new StreamableHTTPClientTransport(url);
      const client = new Client({ name: "fixture-test", version: "1.0.0" });
      await client.connect(transport);
      try {
        const tools = await listAll(client, "tools/list");
        expect(tools.map((t) => t.name)).toContain("echo");
      } finally {
        await client.close();
      }
      await server.stop();
      expect(isAlive(server.pid)).toBe(false);
    });
  }
});
