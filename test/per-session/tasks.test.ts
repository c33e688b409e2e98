// share: per_session and tasks: a task stays with the process that made it. Two Streamable HTTP
// sessions of one bearer token share its tasks (the token owns them), but only session A's
// process holds A's task: B's tasks/get and tasks/result reach that process (none is started for
// B), and once A's session ends and its process with it, the task is lost naming the server.
// Two sessions' processes handing out the same task ids keep them apart too.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { EVERYTHING, RESEARCH } from "../fidelity/harness.ts";
import { isAlive } from "../helpers/proc.ts";
import { Loose, testClient } from "../helpers/sdk.ts";
import { gone, type Msg, Scene, TASKS_SERVER, text } from "./harness.ts";

let scene: Scene;
beforeEach(() => {
  scene = new Scene();
});
afterEach(async () => {
  await scene.cleanup();
});

const TOKEN = "token-of-both-sessions";
const rpc = (c: Client, method: string, params: Record<string, unknown>) =>
  c.request({ method, params }, Loose) as Promise<Record<string, unknown>>;

async function session(url: string) {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } },
  });
  const client = testClient("tasks");
  await client.connect(transport);
  return { client, transport };
}

describe("tasks on per-session processes", () => {
  test("another session of the token reaches the task at the process that made it", async () => {
    const gw = scene.gateway({
      servers: {
        everything: { command: "node", args: [EVERYTHING, "stdio"], share: "per_session" },
      },
      roles: { admin: null },
      auth: { tokens: [{ token: TOKEN, role: "admin" }] },
    });
    await gw.list({ refresh: true });
    const { url } = await gw.serveHttp({ port: 0 });
    const a = await session(url);
    const b = await session(url);
    const tool = `everything_${RESEARCH}`;
    const created = await rpc(a.client, "tools/call", {
      name: tool,
      arguments: { topic: "tides" },
      task: { ttl: 60_000 },
    });
    const taskId = String((created.task as { taskId: string }).taskId);
    const result = await rpc(b.client, "tasks/result", { taskId });
    expect(JSON.stringify(result)).toContain("Research Report: tides");
    expect(await rpc(b.client, "tasks/get", { taskId })).toMatchObject({ status: "completed" });
    const handle = gw.router.serverHandles[0];
    // B never needed a process of its own: its task requests went to A's.
    expect(handle?.lanes).toHaveLength(1);
    const pa = handle?.lanes[0]?.pid as number;
    // A task that waits for input when A leaves is lost with A's process, naming the server.
    const waiting = await rpc(a.client, "tools/call", {
      name: tool,
      arguments: { topic: "bats", ambiguous: true },
      task: { ttl: 60_000 },
    });
    const lostId = String((waiting.task as { taskId: string }).taskId);
    await a.transport.terminateSession();
    await gone([pa]);
    const lost = await rpc(b.client, "tasks/get", { taskId: lostId });
    expect(lost.status).toBe("failed");
    expect(String(lost.statusMessage)).toContain('server "everything" stopped');
    // The finished one is still answered from what the gateway kept.
    expect(JSON.stringify(await rpc(b.client, "tasks/result", { taskId }))).toContain(
      "Research Report: tides",
    );
    await b.client.close();
  }, 60_000);

  test("two sessions' processes with the same task ids: each client gets its own task", async () => {
    const gw = scene.gateway({
      servers: {
        tasks: {
          command: process.execPath,
          args: [TASKS_SERVER, "--stdio"],
          env: { TASK_IDS: "sequential" },
          share: "per_session",
        },
      },
    });
    await gw.list({ refresh: true });
    const clients = [await scene.client(gw, "A"), await scene.client(gw, "B")];
    // Modern requests over each stdio connection: the connection's process serves them.
    const envelope = {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientCapabilities": {
        elicitation: {},
        extensions: { "io.modelcontextprotocol/tasks": {} },
      },
      "io.modelcontextprotocol/clientInfo": { name: "per-session", version: "1" },
    };
    const modern = (c: (typeof clients)[0], method: string, params: Record<string, unknown>) =>
      c.request(method, { ...params, _meta: envelope });
    const created = await Promise.all(
      clients.map((c) =>
        modern(c, "tools/call", {
          name: "tasks_slow_compute",
          arguments: { seconds: 0.3, label: c.name },
        }),
      ),
    );
    const ids = created.map((m) => String(m.result?.taskId));
    expect(created.map((m) => m.result?.resultType)).toEqual(["task", "task"]);
    // Each process handed out task "1"; the gateway's ids differ.
    expect(ids[0]).not.toBe(ids[1]);
    const poll = async (c: (typeof clients)[0], taskId: string): Promise<Msg> => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const r = await modern(c, "tasks/get", { taskId });
        if (r.result?.status !== "working" || Date.now() > deadline) return r;
        await Bun.sleep(100);
      }
    };
    const done = await Promise.all(clients.map((c, i) => poll(c, ids[i] as string)));
    for (const [i, r] of done.entries()) {
      expect(r.result?.status).toBe("completed");
      const inline = { result: r.result?.result as Record<string, unknown> };
      expect(text(inline)).toBe(`computed ${clients[i]?.name} in 0.3 s`);
    }
    const pids = gw.router.serverHandles[0]?.lanes.map((l) => l.pid) ?? [];
    expect(new Set(pids).size).toBe(2);
    for (const p of pids) expect(isAlive(p as number)).toBe(true);
  }, 60_000);
});
