// share: per_session, counted and limited: status shows each session's process (a role that
// sees everything all of them, another role its own only); past max_sessions a session's request
// is refused with an error naming the server and the limit, never served by another's process;
// modern HTTP requests get one process per bearer token.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { connect } from "../era/harness.ts";
import { type Msg, Scene, text } from "./harness.ts";

let scene: Scene;
beforeEach(() => {
  scene = new Scene();
});
afterEach(async () => {
  await scene.cleanup();
});

interface Instance {
  session: string;
  state: string;
  pid: number | null;
  calls: number;
}
interface FxStatus {
  share?: string;
  sessions?: number;
  max_sessions?: number;
  pid: number | null;
  instances?: Instance[];
}

const fxOf = (status: Record<string, unknown> | undefined): FxStatus | undefined =>
  (status?.servers as ({ name: string } & FxStatus)[] | undefined)?.find((s) => s.name === "fx");
const statusOf = (m: Msg) => fxOf(m.result?.structuredContent as Record<string, unknown>);

describe("max_sessions", () => {
  test("a third session is refused, naming the server and the limit; room again once one ends", async () => {
    const gw = scene.gateway({
      servers: { fx: scene.fixture([], { share: "per_session", max_sessions: 2 }) },
    });
    await gw.list({ refresh: true });
    const a = await scene.client(gw, "A");
    const b = await scene.client(gw, "B");
    const c = await scene.client(gw, "C");
    const pa = Number(text(await a.call("fx_pid")));
    const pb = Number(text(await b.call("fx_pid")));
    expect(pa).not.toBe(pb);
    const refused = await c.call("fx_pid");
    expect(refused.result?.isError).toBe(true);
    expect(text(refused)).toContain('server "fx"');
    expect(text(refused)).toContain("max_sessions of 2");
    // Not a tool call: a JSON-RPC error with the same words.
    const prompt = await c.request("prompts/get", {
      name: "fx_greet",
      arguments: { name: "x" },
    });
    expect(prompt.error?.message).toContain("max_sessions of 2");
    // Nothing was started for it, and the others' processes served nobody else.
    const handle = gw.router.serverHandles[0];
    expect(handle?.lanes.map((l) => l.pid).sort()).toEqual([pa, pb].sort());
    expect(handle?.lanes.every((l) => l.stats.calls === 1)).toBe(true);
    a.close();
    await a.served;
    const pc = Number(text(await c.call("fx_pid")));
    expect([pa, pb]).not.toContain(pc);
  }, 30_000);
});

describe("status", () => {
  test("gateway_status shows each session's process", async () => {
    const gw = scene.gateway({
      servers: { fx: scene.fixture([], { share: "per_session", max_sessions: 4 }) },
    });
    await gw.list({ refresh: true });
    const a = await scene.client(gw, "A");
    const b = await scene.client(gw, "B");
    const pa = Number(text(await a.call("fx_pid")));
    const pb = Number(text(await b.call("fx_pid")));
    const fx = statusOf(await a.call("gateway_status"));
    expect(fx).toMatchObject({ share: "per_session", sessions: 2, max_sessions: 4, pid: null });
    const byPid = new Map(fx?.instances?.map((i) => [i.pid, i]));
    expect(byPid.get(pa)).toMatchObject({ state: "running", calls: 1 });
    expect(byPid.get(pb)).toMatchObject({ state: "running", calls: 1 });
    const labels = fx?.instances?.map((i) => i.session) ?? [];
    expect(labels.every((l) => /^stdio client #\d+$/.test(l))).toBe(true);
    expect(new Set(labels).size).toBe(2);
  }, 30_000);

  test("modern HTTP requests: a process per bearer token; a role's status shows its own only", async () => {
    const gw = scene.gateway({
      servers: { fx: scene.fixture([], { share: "per_session" }) },
      roles: { admin: null, user: ["fx_*", "gateway_status"] },
      auth: {
        tokens: [
          { token: "admin-token-per-session", role: "admin" },
          { token: "user-token-per-session", role: "user" },
        ],
      },
    });
    await gw.list({ refresh: true });
    const { url } = await gw.serveHttp({ port: 0 });
    const modern = (token: string) => connect(url, "modern", { token });
    const [admin1, admin2, user] = await Promise.all([
      modern("admin-token-per-session"),
      modern("admin-token-per-session"),
      modern("user-token-per-session"),
    ]);
    const pid = async (c: typeof user) =>
      Number(
        (
          (await c.client.callTool({ name: "fx_pid", arguments: {} })).content as {
            text: string;
          }[]
        )[0]?.text,
      );
    const [p1, p2, pu] = [await pid(admin1), await pid(admin2), await pid(user)];
    // One principal, one process, whatever the connection; another token, another process.
    expect(p2).toBe(p1);
    expect(pu).not.toBe(p1);
    const status = async (c: typeof user) =>
      fxOf(
        (await c.client.callTool({ name: "gateway_status", arguments: {} }))
          .structuredContent as Record<string, unknown>,
      );
    const all = await status(admin1);
    expect(all?.instances?.map((i) => i.pid).sort()).toEqual([p1, pu].sort());
    expect(all?.instances?.every((i) => i.session.startsWith("token "))).toBe(true);
    const own = await status(user);
    expect(own?.sessions).toBe(2);
    expect(own?.instances?.map((i) => i.pid)).toEqual([pu]);
    for (const c of [admin1, admin2, user]) await c.client.close();
  }, 30_000);
});
