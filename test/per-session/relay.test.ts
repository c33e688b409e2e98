// share: per_session, a backend's requests to clients: each goes to the one client whose process
// asked, exactly. Two clients drive one server's sampling at the same moment, round after round,
// the first caller asking last every other round: on a shared server the heuristic of relay.ts
// sends the first request to the oldest call, so those rounds would cross. And the filesystem
// server asks for roots as it starts: each session's process gets its own session's roots.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { waitFor } from "../helpers/proc.ts";
import { type Msg, type PipeClient, Scene, text } from "./harness.ts";

let scene: Scene;
beforeEach(() => {
  scene = new Scene();
});
afterEach(async () => {
  await scene.cleanup();
});

const ROUNDS = 24;
const sampled = (who: string) => (m: Msg) =>
  m.method === "sampling/createMessage"
    ? { role: "assistant", content: { type: "text", text: `answer ${who}` }, model: who }
    : undefined;
const prompts = (c: PipeClient) =>
  c.asked("sampling/createMessage").map((m) => JSON.stringify(m.params?.messages));

describe("server-to-client requests of per_session processes", () => {
  test(`sampling: two clients at once, ${ROUNDS} rounds, each gets its own answer`, async () => {
    const gw = scene.gateway({ servers: { fx: scene.fixture([], { share: "per_session" }) } });
    await gw.list({ refresh: true });
    const a = await scene.client(gw, "A");
    const b = await scene.client(gw, "B");
    a.answer = sampled("A");
    b.answer = sampled("B");
    for (let i = 0; i < ROUNDS; i++) {
      // A's call is sent first; every other round it asks 40 ms later than B's.
      const late = (who: number) => (i % 2 === who ? 40 : 0);
      const ra = a.call("fx_sample", { prompt: `A round ${i}`, delay_ms: late(1) });
      const rb = b.call("fx_sample", { prompt: `B round ${i}`, delay_ms: late(0) });
      const [ma, mb] = await Promise.all([ra, rb]);
      expect([text(ma), text(mb)]).toEqual(["answer A", "answer B"]);
    }
    expect(prompts(a)).toHaveLength(ROUNDS);
    expect(prompts(b)).toHaveLength(ROUNDS);
    expect(prompts(a).every((p) => p.includes("A round") && !p.includes("B round"))).toBe(true);
    expect(prompts(b).every((p) => p.includes("B round") && !p.includes("A round"))).toBe(true);
    // Two processes, one per session.
    const pids = gw.router.serverHandles[0]?.lanes.map((l) => l.pid);
    expect(new Set(pids).size).toBe(2);
  }, 60_000);

  test("roots: each session's filesystem process lists its own session's roots", async () => {
    const script = fileURLToPath(
      new URL(
        "../../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js",
        import.meta.url,
      ),
    );
    const dirs = ["a", "b"].map((n) => {
      const d = join(scene.dir.path, `root-${n}`);
      mkdirSync(d);
      return realpathSync(d);
    });
    // Started without a folder, it serves the client's roots (asked for as it starts).
    const gw = scene.gateway({
      servers: { fs: { command: process.execPath, args: [script], share: "per_session" } },
    });
    await gw.list({ refresh: true }).catch(() => undefined);
    const clients = await Promise.all(["A", "B"].map((n) => scene.client(gw, n)));
    clients.forEach((c, i) => {
      c.answer = (m) =>
        m.method === "roots/list"
          ? { roots: [{ uri: `file://${dirs[i]}`, name: c.name }] }
          : undefined;
    });
    // The server takes the roots' answer after its first call may be served: asked until it has it.
    const allowed = (c: PipeClient) =>
      waitFor(
        async () => {
          const t = text(await c.call("fs_list_allowed_directories", {})) ?? "";
          return t.includes("/root-") && t;
        },
        { timeout: 10_000, message: `${c.name}'s roots to reach its process` },
      );
    const answers = await Promise.all(clients.map(allowed));
    for (const [i, t] of answers.entries()) {
      expect(t).toContain(dirs[i] as string);
      expect(t).not.toContain(dirs[1 - i] as string);
    }
    for (const c of clients) expect(c.asked("roots/list").length).toBeGreaterThan(0);
  }, 60_000);

  test("log messages and resource updates of a session's process reach that session only", async () => {
    const gw = scene.gateway({ servers: { fx: scene.fixture([], { share: "per_session" }) } });
    await gw.list({ refresh: true });
    const a = await scene.client(gw, "A");
    const b = await scene.client(gw, "B");
    const notes = (c: PipeClient, method: string) =>
      c.got.filter((m) => m.method === method && m.id === undefined);
    await b.call("fx_pid");
    expect(text(await a.call("fx_notify", { count: 3 }))).toBe("sent 3");
    expect(notes(a, "notifications/message")).toHaveLength(3);
    expect((await a.request("resources/subscribe", { uri: "fixture://static" })).error).toBe(
      undefined,
    );
    await waitFor(() => notes(a, "notifications/resources/updated").length === 1, {
      message: "A's update",
    });
    // B subscribes too, at its own process: one update each, no more.
    expect((await b.request("resources/subscribe", { uri: "fixture://static" })).error).toBe(
      undefined,
    );
    await waitFor(() => notes(b, "notifications/resources/updated").length === 1, {
      message: "B's update",
    });
    // A round trip on each after the updates: anything crossing would be in by now.
    await Promise.all([a.call("fx_pid"), b.call("fx_pid")]);
    expect(notes(a, "notifications/resources/updated")).toHaveLength(1);
    expect(notes(b, "notifications/message")).toHaveLength(0);
  }, 30_000);
});
