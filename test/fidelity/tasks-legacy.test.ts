// 2025-11-25 tasks through the gateway: server-everything's task tool run as a task (create,
// poll, result, cancel, input_required with an elicitation, list) through `mcp-gateway stdio`,
// next to the same done with server-everything directly. Apart from task ids and timestamps,
// every answer must be the same; the client never sees a backend task id.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { initialize, type RpcMessage, type RpcProcess } from "../helpers/rpc.ts";
import { EVERYTHING, must, normalize, RESEARCH, Scene } from "./harness.ts";

const P = "everything_";
let scene: Scene;
let direct: RpcProcess;
let gw: RpcProcess;
/** Every task id either side handed out (normalized away when comparing). */
const ids = new Set<string>();
/** The task ids the gateway handed out: the only ones its client may ever see. */
const gwIds = new Set<string>();
const elicited = new Map<RpcProcess, Record<string, unknown>[]>();

function answerAs(rpc: RpcProcess): void {
  elicited.set(rpc, []);
  rpc.onRequest((method, params) => {
    if (method === "roots/list") return { roots: [] };
    if (method === "elicitation/create") {
      elicited.get(rpc)?.push(params ?? {});
      return { action: "accept", content: { interpretation: "snake" } };
    }
    throw Object.assign(new Error(`unexpected ${method}`), { code: -32601 });
  });
}

beforeAll(async () => {
  scene = new Scene();
  scene.writeConfig({
    servers: { everything: { command: "node", args: [EVERYTHING, "stdio"] } },
  });
  direct = scene.everything();
  gw = scene.stdio();
  answerAs(direct);
  answerAs(gw);
  await Promise.all([initialize(direct), initialize(gw)]);
  must(await gw.request("tools/call", { name: "_everything_connect", arguments: {} }));
});

afterAll(async () => {
  await scene?.cleanup();
});

/** tools/call of the research tool as a task, on either side; the task from its answer. */
async function create(rpc: RpcProcess, args: Record<string, unknown>, task: object = {}) {
  const name = rpc === gw ? `${P}${RESEARCH}` : RESEARCH;
  const res = await rpc.request("tools/call", { name, arguments: args, task });
  const t = must(res).task as Record<string, unknown>;
  ids.add(String(t.taskId));
  if (rpc === gw) gwIds.add(String(t.taskId));
  return { res, id: String(t.taskId) };
}

/** tasks/get until `until` holds for the status (bounded). */
async function poll(rpc: RpcProcess, taskId: string, until: (status: string) => boolean) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await rpc.request("tasks/get", { taskId });
    if (until(String(must(res).status))) return res;
    if (Date.now() > deadline) throw new Error(`task ${taskId}: still ${must(res).status}`);
    await Bun.sleep(200);
  }
}

const same = (a: RpcMessage, b: RpcMessage) => {
  const strip = ({ id: _id, ...m }: RpcMessage) => m;
  expect(normalize(strip(b), ids)).toEqual(normalize(strip(a), ids));
};

describe("2025-11-25 tasks: server-everything directly and through the gateway", () => {
  test("the tasks capability and the tool's taskSupport reach the client as the backend says them", async () => {
    const [a, b] = await Promise.all([
      direct.request("tools/list", {}),
      gw.request("tools/list", {}),
    ]);
    const tool = (r: RpcMessage, n: string) =>
      (must(r).tools as { name: string }[]).find((t) => t.name === n);
    expect(tool(b, `${P}${RESEARCH}`)).toEqual({
      ...tool(a, RESEARCH),
      name: `${P}${RESEARCH}`,
    } as never);
    const caps = (rpc: RpcProcess) =>
      rpc.messages.find((m) => m.id === 1)?.result?.capabilities as Record<string, unknown>;
    expect(caps(gw).tasks).toEqual(caps(direct).tasks);
  });

  test("create, poll, result: each step answered as directly, under the gateway's own task id", async () => {
    const [a, b] = await Promise.all([
      create(direct, { topic: "tides" }, { ttl: 60_000 }),
      create(gw, { topic: "tides" }, { ttl: 60_000 }),
    ]);
    same(a.res, b.res);
    const [doneA, doneB] = await Promise.all([
      poll(direct, a.id, (s) => s === "completed"),
      poll(gw, b.id, (s) => s === "completed"),
    ]);
    same(doneA, doneB);
    const [ra, rb] = await Promise.all([
      direct.request("tasks/result", { taskId: a.id }),
      gw.request("tasks/result", { taskId: b.id }),
    ]);
    same(ra, rb);
    expect(JSON.stringify(must(rb))).toContain("Research Report: tides");
    expect(
      (must(rb)._meta as Record<string, { taskId: string }>)["io.modelcontextprotocol/related-task"]
        ?.taskId,
    ).toBe(b.id);
    // A result asked again (the backend keeps it for its ttl) is the same.
    same(ra, await gw.request("tasks/result", { taskId: b.id }));
  });

  test("status notifications reach the client that made the task, with its task id", async () => {
    const mine = gw.messages.filter((m) => m.method === "notifications/tasks/status");
    expect(mine.length).toBeGreaterThan(0);
    for (const n of mine) expect(ids.has(String(n.params?.taskId))).toBe(true);
    const theirs = direct.messages.filter((m) => m.method === "notifications/tasks/status");
    const statuses = (list: RpcMessage[]) => [...new Set(list.map((n) => n.params?.status))].sort();
    expect(statuses(mine)).toEqual(statuses(theirs));
  });

  test("cancel, then get, cancel again and result of the cancelled task: as directly", async () => {
    const [a, b] = await Promise.all([
      create(direct, { topic: "cancel me" }),
      create(gw, { topic: "cancel me" }),
    ]);
    for (const [method, params] of [
      ["tasks/cancel", {}],
      ["tasks/get", {}],
      ["tasks/cancel", {}],
      ["tasks/result", {}],
    ] as const) {
      const [ra, rb] = await Promise.all([
        direct.request(method, { ...params, taskId: a.id }),
        gw.request(method, { ...params, taskId: b.id }),
      ]);
      same(ra, rb);
    }
  });

  test("input_required: the backend's elicitation reaches the client with its task id; the answer goes back", async () => {
    const [a, b] = await Promise.all([
      create(direct, { topic: "python", ambiguous: true }),
      create(gw, { topic: "python", ambiguous: true }),
    ]);
    const [ia, ib] = await Promise.all([
      poll(direct, a.id, (s) => s !== "working"),
      poll(gw, b.id, (s) => s !== "working"),
    ]);
    expect(must(ib).status).toBe("input_required");
    same(ia, ib);
    // The spec's flow: the requests of an input_required task come while tasks/result waits.
    const [ra, rb] = await Promise.all([
      direct.request("tasks/result", { taskId: a.id }),
      gw.request("tasks/result", { taskId: b.id }),
    ]);
    same(ra, rb);
    expect(JSON.stringify(must(rb))).toContain("python (snake)");
    const [ea, eb] = [elicited.get(direct) ?? [], elicited.get(gw) ?? []];
    expect(eb.length).toBe(1);
    expect(normalize(eb, ids)).toEqual(normalize(ea, ids));
    expect(eb[0]?._meta).toEqual({ "io.modelcontextprotocol/related-task": { taskId: b.id } });
  });

  test("a call of the task tool without a task, and an unknown task id: refused as directly", async () => {
    same(
      await direct.request("tools/call", { name: RESEARCH, arguments: { topic: "x" } }),
      await gw.request("tools/call", { name: `${P}${RESEARCH}`, arguments: { topic: "x" } }),
    );
    for (const method of ["tasks/get", "tasks/result", "tasks/cancel"]) {
      const [ra, rb] = await Promise.all([
        direct.request(method, { taskId: "no-such-task" }),
        gw.request(method, { taskId: "no-such-task" }),
      ]);
      expect(rb.error?.code).toBe(ra.error?.code ?? 0);
    }
  });

  test("tasks/list: the client's own tasks under its ids, as the backend lists them", async () => {
    const [la, lb] = await Promise.all([
      direct.request("tasks/list", {}),
      gw.request("tasks/list", {}),
    ]);
    const list = (r: RpcMessage) => (must(r).tasks as { taskId: string }[]).map((t) => t.taskId);
    expect(list(lb).length).toBe(list(la).length);
    expect(new Set(list(lb))).toEqual(gwIds);
  });

  test("no backend task id ever reached the gateway's client", () => {
    const seen = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (typeof v === "object" && v !== null)
        for (const [k, x] of Object.entries(v)) {
          if (k === "taskId" && typeof x === "string") seen.add(x);
          walk(x);
        }
    };
    walk(gw.messages);
    expect(seen).toEqual(gwIds);
    // server-everything's own ids are 32 hex digits; the gateway's are UUIDs.
    expect(JSON.stringify(gw.messages)).not.toMatch(/\b[0-9a-f]{32}\b/);
  });
});
