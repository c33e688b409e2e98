// A task lives in its backend process: the gateway keeps that process up while a task runs (no
// idle stop under it), and when the process goes anyway (killed here, mid-task), the task fails
// with an error naming the server — for a client waiting in tasks/result, polling, listing, and
// for a modern client on the bridge. A result already fetched outlives the process.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { isAlive, killTree, waitFor } from "../helpers/proc.ts";
import { initialize, type RpcProcess } from "../helpers/rpc.ts";
import { EVERYTHING, must, RESEARCH, Scene } from "./harness.ts";

const TOOL = `everything_${RESEARCH}`;
const NAMED = 'server "everything"';
let scene: Scene;
let gw: RpcProcess;

beforeAll(async () => {
  scene = new Scene();
  // A backend idle for a second would be stopped: only the tasks it runs may keep it up.
  scene.writeConfig({
    idle_timeout: 1,
    servers: { everything: { command: "node", args: [EVERYTHING, "stdio"] } },
  });
  gw = scene.stdio();
  gw.onRequest(() => ({ roots: [] }));
  await initialize(gw);
  must(await gw.request("tools/call", { name: "_everything_connect", arguments: {} }));
});

afterAll(async () => {
  await scene?.cleanup();
});

async function backendPid(): Promise<number> {
  const status = must(await gw.request("tools/call", { name: "gateway_status", arguments: {} }));
  const servers = (status.structuredContent as { servers: { pid: number | null }[] }).servers;
  const pid = servers[0]?.pid;
  if (!pid) throw new Error("the backend is not running");
  return pid;
}

async function createTask(topic: string): Promise<string> {
  const r = must(await gw.request("tools/call", { name: TOOL, arguments: { topic }, task: {} }));
  return String((r.task as { taskId: string }).taskId);
}

/** The status notification saying the task reached `status` (no polling: nothing keeps the backend busy). */
const reached = (taskId: string, status: string) =>
  gw.waitForMessage(
    (m) =>
      m.method === "notifications/tasks/status" &&
      m.params?.taskId === taskId &&
      m.params?.status === status,
    30_000,
  );

describe("a task and its backend process", () => {
  test("an unfinished task holds its backend against the idle stop", async () => {
    const taskId = await createTask("slow");
    const pid = await backendPid();
    await reached(taskId, "completed");
    expect(await backendPid()).toBe(pid);
    const result = must(await gw.request("tasks/result", { taskId }));
    expect(JSON.stringify(result)).toContain("Research Report: slow");
  });

  test("a result already fetched outlives its backend (answered by the gateway)", async () => {
    const taskId = await createTask("kept");
    await reached(taskId, "completed");
    const first = await gw.request("tasks/result", { taskId });
    // Released: the idle stop may take the backend now (if it has not, it is killed); it must
    // not take the result.
    const pid = await backendPid().catch(() => undefined);
    if (pid) await killTree(pid);
    await waitFor(async () => (await backendPid().catch(() => 0)) !== pid, {
      timeout: 10_000,
      message: "the gateway to see its backend gone",
    });
    const again = await gw.request("tasks/result", { taskId });
    expect(again.result).toEqual(first.result as never);
    expect(must(await gw.request("tasks/get", { taskId })).status).toBe("completed");
  });

  test("a backend stopped mid-task fails its tasks, naming it, for every client and every request", async () => {
    const legacy = await createTask("doomed");
    const modern = must(
      await gw.request("tools/call", {
        name: TOOL,
        arguments: { topic: "doomed too" },
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {
            extensions: { "io.modelcontextprotocol/tasks": {} },
          },
        },
      }),
    ).taskId as string;
    const waiting = gw.request("tasks/result", { taskId: legacy });
    const pid = await backendPid();
    await killTree(pid);
    await waitFor(() => !isAlive(pid));
    const cut = await waiting;
    expect(cut.error?.message).toContain(NAMED);

    const got = must(await gw.request("tasks/get", { taskId: legacy }));
    expect(got).toMatchObject({ taskId: legacy, status: "failed" });
    expect(String(got.statusMessage)).toContain(NAMED);
    const result = await gw.request("tasks/result", { taskId: legacy });
    expect(result.error?.code).toBe(-32603);
    expect(result.error?.message).toContain(NAMED);
    const cancel = await gw.request("tasks/cancel", { taskId: legacy });
    expect(cancel.error?.code).toBe(-32602);
    const listed = must(await gw.request("tasks/list", {})).tasks as Record<string, unknown>[];
    expect(listed.find((t) => t.taskId === legacy)?.status).toBe("failed");

    const m = must(
      await gw.request("tasks/get", {
        taskId: modern,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {
            extensions: { "io.modelcontextprotocol/tasks": {} },
          },
        },
      }),
    );
    expect(m).toMatchObject({ taskId: modern, status: "failed", error: { code: -32603 } });
    expect((m.error as { message: string }).message).toContain(NAMED);

    // The next call starts the backend again; the lost task stays failed (a restart does not know it).
    const fresh = await createTask("after");
    expect(await backendPid()).not.toBe(pid);
    expect(must(await gw.request("tasks/get", { taskId: legacy })).status).toBe("failed");
    expect(must(await gw.request("tasks/get", { taskId: fresh })).status).toBe("working");
  });
});
