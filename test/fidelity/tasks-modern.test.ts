// The 2026-07-28 tasks extension in front of a 2025-11-25 task backend: a modern client runs
// server-everything's task tool through the gateway (stdio and HTTP) and gets a flat
// `resultType: "task"`, polls tasks/get to an inlined result, answers the task's elicitation
// with tasks/update, cancels; the final result is the one server-everything gives a legacy
// client directly. Without the extension the tool is refused with -32021.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { initialize, type RpcMessage, type RpcProcess } from "../helpers/rpc.ts";
import { EVERYTHING, must, normalize, RESEARCH, Scene } from "./harness.ts";

const TOOL = `everything_${RESEARCH}`;
const TASKS = "io.modelcontextprotocol/tasks";
const envelope = (caps: Record<string, unknown>) => ({
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientCapabilities": caps,
  "io.modelcontextprotocol/clientInfo": { name: "modern-test", version: "1.0.0" },
});
const WITH_TASKS = { elicitation: {}, extensions: { [TASKS]: {} } };

let scene: Scene;
let gw: RpcProcess;
let direct: RpcProcess;
let url: string;

/** One modern request over stdio (no session: the envelope travels with each request). */
const modern = (
  method: string,
  params: Record<string, unknown>,
  caps: Record<string, unknown> = WITH_TASKS,
) => gw.request(method, { ...params, _meta: envelope(caps) });

async function poll(taskId: string, until: (r: Record<string, unknown>) => boolean) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = must(await modern("tasks/get", { taskId }));
    if (until(r)) return r;
    if (Date.now() > deadline) throw new Error(`task ${taskId}: still ${String(r.status)}`);
    await Bun.sleep(200);
  }
}

beforeAll(async () => {
  scene = new Scene();
  scene.writeConfig({ servers: { everything: { command: "node", args: [EVERYTHING, "stdio"] } } });
  gw = scene.stdio();
  direct = scene.everything();
  direct.onRequest(() => ({ roots: [] }));
  await initialize(direct);
  must(await modern("tools/call", { name: "_everything_connect", arguments: {} }));
  url = (await scene.serve()).url;
});

afterAll(async () => {
  await scene?.cleanup();
});

describe("the tasks extension (2026-07-28) in front of server-everything's 2025-11-25 tasks", () => {
  test("server/discover announces the extension", async () => {
    const caps = must(await modern("server/discover", {})).capabilities as Record<string, unknown>;
    expect(caps.extensions).toEqual({ [TASKS]: {} });
    expect(caps.tasks).toBeUndefined();
  });

  test("create and poll to an inlined result: the result server-everything gives directly", async () => {
    const created = must(await modern("tools/call", { name: TOOL, arguments: { topic: "tides" } }));
    expect(created).toMatchObject({ resultType: "task", status: "working", ttlMs: 300_000 });
    expect(typeof created.createdAt).toBe("string");
    expect(created.task).toBeUndefined();
    const taskId = String(created.taskId);
    const done = await poll(taskId, (r) => r.status !== "working");
    expect(done).toMatchObject({ resultType: "complete", taskId, status: "completed" });
    // Directly, a legacy client gets the same result from tasks/result.
    const t = must(
      await direct.request("tools/call", {
        name: RESEARCH,
        arguments: { topic: "tides" },
        task: {},
      }),
    ).task as { taskId: string };
    const theirs = must(await direct.request("tasks/result", { taskId: t.taskId }));
    const { _meta: _drop, ...plain } = theirs;
    expect(normalize(done.result, new Set([t.taskId]))).toEqual(normalize(plain, new Set()));
    // Polled again, the ended task says the same (from the gateway: the backend may stop now).
    expect(must(await modern("tasks/get", { taskId }))).toEqual(done);
  });

  test("input_required: the task's elicitation as inputRequests, answered with tasks/update", async () => {
    const created = must(
      await modern("tools/call", { name: TOOL, arguments: { topic: "python", ambiguous: true } }),
    );
    const taskId = String(created.taskId);
    const waiting = await poll(
      taskId,
      (r) => r.status !== "working" && Object.keys((r.inputRequests as object) ?? {}).length > 0,
    );
    expect(waiting.status).toBe("input_required");
    const requests = waiting.inputRequests as Record<string, { method: string; params: unknown }>;
    const [key, request] = Object.entries(requests)[0] ?? [];
    expect(request?.method).toBe("elicitation/create");
    expect(JSON.stringify(request?.params)).toContain("multiple interpretations");
    const ack = must(
      await modern("tasks/update", {
        taskId,
        inputResponses: {
          [String(key)]: { action: "accept", content: { interpretation: "snake" } },
        },
      }),
    );
    expect(ack).toMatchObject({ resultType: "complete" });
    const done = await poll(taskId, (r) => r.status === "completed" || r.status === "failed");
    expect(done.status).toBe("completed");
    expect(JSON.stringify(done.result)).toContain("python (snake)");
  });

  test("tasks/cancel: an empty acknowledgement, the task then cancelled; again: acknowledged", async () => {
    const created = must(await modern("tools/call", { name: TOOL, arguments: { topic: "stop" } }));
    const taskId = String(created.taskId);
    expect(must(await modern("tasks/cancel", { taskId }))).toMatchObject({
      resultType: "complete",
    });
    expect(must(await modern("tasks/get", { taskId })).status).toBe("cancelled");
    expect(must(await modern("tasks/cancel", { taskId })).resultType).toBe("complete");
  });

  test("without the extension the task tool is refused with -32021 naming it", async () => {
    const r = await modern("tools/call", { name: TOOL, arguments: { topic: "x" } }, {});
    expect(r.error?.code).toBe(-32021);
    expect(r.error?.data).toEqual({ requiredCapabilities: { extensions: { [TASKS]: {} } } });
  });

  test("tasks/result and tasks/list are not part of the extension; unknown ids are -32602", async () => {
    expect((await modern("tasks/result", { taskId: "x" })).error?.code).toBe(-32601);
    expect((await modern("tasks/list", {})).error?.code).toBe(-32601);
    expect((await modern("tasks/get", { taskId: "x" })).error?.code).toBe(-32602);
  });

  test("a legacy session's task is unknown to modern requests, and the other way round", async () => {
    const legacy = scene.stdio();
    legacy.onRequest(() => ({ roots: [] }));
    await initialize(legacy);
    const t = must(
      await legacy.request("tools/call", { name: TOOL, arguments: { topic: "mine" }, task: {} }),
    ).task as { taskId: string };
    expect((await modern("tasks/get", { taskId: t.taskId })).error?.code).toBe(-32602);
    const created = must(await modern("tools/call", { name: TOOL, arguments: { topic: "m" } }));
    const other = await legacy.request("tasks/get", { taskId: created.taskId });
    expect(other.error?.code).toBe(-32602);
    legacy.close();
  });

  test("over HTTP: Mcp-Name carries the task id, and must match it", async () => {
    const post = (method: string, params: Record<string, unknown>, name?: string) =>
      fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": "2026-07-28",
          "mcp-method": method,
          ...(name === undefined ? {} : { "mcp-name": name }),
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method,
          params: { ...params, _meta: envelope(WITH_TASKS) },
        }),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as RpcMessage }));
    const created = await post("tools/call", { name: TOOL, arguments: { topic: "h" } }, TOOL);
    const taskId = String(must(created.body).taskId);
    expect(must(created.body).resultType).toBe("task");
    const got = await post("tasks/get", { taskId }, taskId);
    expect(got.status).toBe(200);
    expect(must(got.body).taskId).toBe(taskId);
    const wrong = await post("tasks/get", { taskId }, "another-task");
    expect(wrong.status).toBe(400);
    expect(wrong.body.error?.code).toBe(-32020);
    expect((await post("tasks/cancel", { taskId }, taskId)).status).toBe(200);
  });
});
