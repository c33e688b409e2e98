// Issue 14, roles and tokens: swapped between requests while calls are in flight. A session keeps
// its token's role however the tokens are reordered; a session whose token is removed is closed;
// a role's new patterns apply to the next request of every client that has it.
import { afterEach, describe, expect, test } from "bun:test";
import { HttpClient } from "../reliability/http-client.ts";
import {
  Held,
  notifications,
  pidOf,
  ReloadScene,
  reloaded,
  server,
  status,
  textOf,
  waitFor,
} from "./harness.ts";

const scenes: ReloadScene[] = [];
afterEach(async () => {
  for (const s of scenes.splice(0)) await s.cleanup();
});

const ADMIN = "admin-token-aaaa-1111";
const READER = "reader-token-bbbb-2222";
const OTHER = "reader-token-cccc-3333";
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

const names = async (c: HttpClient): Promise<string[]> =>
  (((await c.request("tools/list")).result?.tools ?? []) as { name: string }[]).map((t) => t.name);

describe("roles and tokens", () => {
  test("stdio: a role's new patterns apply between requests; held calls finish", async () => {
    const scene = new ReloadScene();
    scenes.push(scene);
    const servers = { a: server(), b: server(), c: server() };
    const roles = (globs: string[]) => ({ r: [...globs, "gateway_status"], other: null });
    scene.write({ servers, roles: roles(["a_*", "b_*", "_*_connect"]) });
    const gw = await scene.stdio(["--role", "r"]);
    await gw.call("_a_connect");
    await gw.call("_b_connect");
    const pids = { a: await pidOf(gw, "a_pid"), b: await pidOf(gw, "b_pid") };
    const held = new Held(gw).start(["a_sample", "b_sample"]);
    await held.inFlight();
    const before = await status(gw);
    const mark = gw.messages().length;
    scene.write({ servers, roles: roles(["a_*", "c_*", "_*_connect"]) });
    const after = await reloaded(gw, before);
    expect(after.config.generation).toBe(2);
    // What changed is for roles that see everything; the log says it.
    expect(after.config.last_reload).toEqual({ at: expect.any(String), ok: true });
    expect(gw.stderrText()).toContain("config reloaded (generation 2): roles changed");
    // The status itself is already the new role's view: b is hidden, c shows.
    expect(after.servers.map((s) => s.name)).toEqual(["a", "c"]);
    expect(notifications(gw, mark)).toContain("notifications/tools/list_changed");
    const list = (await gw.request("tools/list")).result?.tools as { name: string }[];
    expect(list.map((t) => t.name)).toContain("_c_connect");
    expect(list.some((t) => t.name.startsWith("b_"))).toBe(false);
    expect((await gw.call("b_pid")).error?.message).toContain("Unknown tool");
    await held.settle();
    held.answeredOnce();
    expect(await pidOf(gw, "a_pid")).toBe(pids.a);

    // A config without the role the gateway was started with is refused as a whole.
    const now = await status(gw);
    scene.write({ servers: { a: servers.a }, roles: { other: null } });
    const refused = await reloaded(gw, now);
    expect(refused.config).toMatchObject({
      generation: 2,
      file: null,
      last_reload: { ok: false, error: "(hidden from this role)" },
    });
    expect(gw.stderrText()).toMatch(
      /config reload failed; still serving generation 2: the role given at start: unknown role "r"/,
    );
    expect(refused.servers.map((s) => s.name)).toEqual(["a", "c"]);
    const { left } = await scene.shutdown(gw);
    expect(left).toEqual([]);
    expect(isAliveAny([pids.b])).toBe(false);
  });

  test("HTTP: reordered tokens keep each session's role; a removed token's session is closed", async () => {
    const scene = new ReloadScene();
    scenes.push(scene);
    const servers = { a: server(), b: server() };
    const roles = { admin: null, reader: ["a_*", "gateway_status"] };
    const tokens = (list: [string, string][]) => ({
      tokens: list.map(([token, role]) => ({ token, role })),
    });
    scene.write({
      servers,
      roles,
      auth: tokens([
        [ADMIN, "admin"],
        [READER, "reader"],
        [OTHER, "reader"],
      ]),
    });
    const { proc, url } = await scene.serve();
    const admin = new HttpClient(url, bearer(ADMIN));
    const reader = new HttpClient(url, bearer(READER));
    const other = new HttpClient(url, bearer(OTHER));
    for (const c of [admin, reader, other]) await c.initialize();
    await admin.call("_a_connect");
    await admin.call("_b_connect");
    const statusOf = async () => {
      const res = await fetch(url.replace(/\/mcp$/, "/status"), { headers: bearer(ADMIN) });
      return (await res.json()) as {
        gateway: { sessions: number };
        config: { generation: number; last_reload: { at: string; changes?: string[] } | null };
        servers: { name: string; pid: number; in_flight: number }[];
      };
    };
    const pidsBefore = (await statusOf()).servers.map((s) => s.pid);

    // 32 calls in flight over both servers, from the admin session.
    const calls = Array.from({ length: 32 }, (_, i) =>
      admin.call(i % 2 ? "a_slow" : "b_slow", { ms: 4000 }, 30_000),
    );
    await waitFor(
      async () => (await statusOf()).servers.reduce((n, s) => n + s.in_flight, 0) === 32,
      { timeout: 20_000, message: "32 calls in flight" },
    );
    const reloadOf = async (config: object) => {
      const at = (await statusOf()).config.last_reload?.at ?? "";
      scene.write(config);
      return waitFor(
        async () => {
          const s = await statusOf();
          return (s.config.last_reload?.at ?? "") > at ? s : undefined;
        },
        { timeout: 15_000, message: "a reload" },
      );
    };

    // Reordered: every session keeps its own token's role.
    const reordered = await reloadOf({
      servers,
      roles,
      auth: tokens([
        [OTHER, "reader"],
        [READER, "reader"],
        [ADMIN, "admin"],
      ]),
    });
    expect(reordered.config.last_reload?.changes).toEqual(["auth tokens changed"]);
    expect(reordered.servers.reduce((n, s) => n + s.in_flight, 0)).toBe(32);
    expect(await names(admin)).toContain("b_slow");
    expect(await names(reader)).not.toContain("b_slow");

    // OTHER removed, and the reader role now sees b: OTHER's session is gone, READER's moves.
    const removed = await reloadOf({
      servers,
      roles: { ...roles, reader: ["b_*", "gateway_status"] },
      auth: tokens([
        [READER, "reader"],
        [ADMIN, "admin"],
      ]),
    });
    expect(removed.config.last_reload?.changes).toEqual(["roles changed", "auth tokens changed"]);
    expect(removed.gateway.sessions).toBe(2);
    expect(
      (await other.post(JSON.stringify({ jsonrpc: "2.0", id: 9, method: "ping" }))).status,
    ).toBe(401);
    const readerNames = await names(reader);
    expect(readerNames).toContain("b_slow");
    expect(readerNames).not.toContain("a_slow");

    for (const res of await Promise.all(calls)) expect(textOf(res)).toBe("slept 4000 ms");
    for (const [id, answers] of admin.answers) if (id !== null) expect(answers.length).toBe(1);
    expect((await statusOf()).servers.map((s) => s.pid)).toEqual(pidsBefore);
    const { left } = await scene.shutdown(proc, 10_000, "SIGTERM");
    expect(left).toEqual([]);
  });
});

function isAliveAny(pids: number[]): boolean {
  return pids.some((p) => {
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  });
}
