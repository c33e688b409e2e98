// Tasks of different clients are kept apart: over Streamable HTTP (`mcp-gateway serve`) a client
// can neither get, wait for, cancel nor list another's task — each answers as an unknown task —
// and its own tasks stay its own. Without tokens a task belongs to its session; with tokens, to
// the token (the spec's authorization context), so a client that reconnects keeps its tasks.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { HttpClient } from "../reliability/http-client.ts";
import { EVERYTHING, RESEARCH, Scene } from "./harness.ts";

const TOOL = `everything_${RESEARCH}`;
let scene: Scene;
let open: string;
let guarded: string;

beforeAll(async () => {
  scene = new Scene();
  const servers = { everything: { command: "node", args: [EVERYTHING, "stdio"] } };
  const plain = scene.writeConfig({ servers }, `${scene.dir.path}/plain.yaml`);
  const tokens = scene.writeConfig(
    {
      servers,
      roles: { all: null },
      auth: {
        tokens: [
          { token: "token-one-0123456789", role: "all" },
          { token: "token-two-0123456789", role: "all" },
        ],
      },
    },
    `${scene.dir.path}/tokens.yaml`,
  );
  [open, guarded] = (await Promise.all([scene.serve(plain), scene.serve(tokens)])).map(
    (s) => s.url,
  ) as [string, string];
});

afterAll(async () => {
  await scene?.cleanup();
});

async function client(url: string, token?: string): Promise<HttpClient> {
  const c = new HttpClient(url, token ? { authorization: `Bearer ${token}` } : {});
  await c.initialize();
  return c;
}

async function createTask(c: HttpClient, topic: string): Promise<string> {
  const res = await c.request("tools/call", { name: TOOL, arguments: { topic }, task: {} });
  const task = res.result?.task as { taskId?: string } | undefined;
  if (!task?.taskId) throw new Error(`no task: ${JSON.stringify(res)}`);
  return task.taskId;
}

async function listed(c: HttpClient): Promise<string[]> {
  const tasks = (await c.request("tasks/list", {})).result?.tasks as { taskId: string }[];
  return tasks.map((t) => t.taskId);
}

/** What a client gets for a task that is not its own: exactly what an unknown id gets. */
async function refused(c: HttpClient, taskId: string): Promise<void> {
  for (const method of ["tasks/get", "tasks/result", "tasks/cancel"]) {
    const theirs = await c.request(method, { taskId });
    const none = await c.request(method, { taskId: "no-such-task" });
    expect(theirs.error).toEqual(none.error as never);
    expect(theirs.error?.code).toBe(-32602);
  }
}

describe("two clients' tasks", () => {
  test("without tokens: each session sees, waits for, cancels and lists only its own", async () => {
    const [a, b] = await Promise.all([client(open), client(open)]);
    const [ta, tb] = await Promise.all([createTask(a, "alpha"), createTask(b, "beta")]);
    await refused(b, ta);
    await refused(a, tb);
    expect(await listed(a)).toEqual([ta]);
    expect(await listed(b)).toEqual([tb]);
    // Nothing of a's task ever went to b, and a's task is unharmed by b's attempts.
    expect(JSON.stringify([...b.answers.values(), b.incoming])).not.toContain(ta);
    expect((await a.request("tasks/get", { taskId: ta })).result?.status).toBe("working");
    expect((await a.request("tasks/cancel", { taskId: ta })).result?.status).toBe("cancelled");
    // A session that ends takes its tasks with it: a new session cannot reach them.
    await a.close();
    const again = await client(open);
    await refused(again, tb);
    expect(await listed(again)).toEqual([]);
  });

  test("with tokens: a task belongs to its token; another token's session cannot reach it", async () => {
    const one = await client(guarded, "token-one-0123456789");
    const two = await client(guarded, "token-two-0123456789");
    const t1 = await createTask(one, "one");
    await refused(two, t1);
    expect(await listed(two)).toEqual([]);
    // The same token reconnecting (a new session) still has its task.
    await one.close();
    const back = await client(guarded, "token-one-0123456789");
    expect(await listed(back)).toEqual([t1]);
    expect((await back.request("tasks/cancel", { taskId: t1 })).result?.status).toBe("cancelled");
  });

  test("modern requests: a task belongs to the token that made it", async () => {
    const post = async (token: string, method: string, params: Record<string, unknown>) => {
      const name = method === "tools/call" ? String(params.name) : String(params.taskId);
      const res = await fetch(guarded, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": "2026-07-28",
          "mcp-method": method,
          "mcp-name": name,
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method,
          params: {
            ...params,
            _meta: {
              "io.modelcontextprotocol/protocolVersion": "2026-07-28",
              "io.modelcontextprotocol/clientCapabilities": {
                extensions: { "io.modelcontextprotocol/tasks": {} },
              },
            },
          },
        }),
      });
      return (await res.json()) as { result?: Record<string, unknown>; error?: unknown };
    };
    const created = await post("token-one-0123456789", "tools/call", {
      name: TOOL,
      arguments: { topic: "modern" },
    });
    const taskId = String(created.result?.taskId);
    expect(created.result?.resultType).toBe("task");
    expect((await post("token-one-0123456789", "tasks/get", { taskId })).result?.taskId).toBe(
      taskId,
    );
    const theirs = await post("token-two-0123456789", "tasks/get", { taskId });
    const none = await post("token-two-0123456789", "tasks/get", { taskId: "no-such-task" });
    expect(theirs.error).toEqual(none.error);
    expect((await post("token-two-0123456789", "tasks/cancel", { taskId })).error).toEqual(
      none.error,
    );
    expect((await post("token-one-0123456789", "tasks/get", { taskId })).result?.status).toBe(
      "working",
    );
  });
});
