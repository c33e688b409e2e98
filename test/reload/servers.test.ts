// Issue 14, servers: each kind of change to `servers` reloaded while 32 calls are in flight on
// three backends. Every call is answered exactly once and correctly; unchanged servers keep their
// process; a removed or replaced server finishes its calls, then stops; nothing is left running.
import { afterEach, describe, expect, test } from "bun:test";
import type { RawClient } from "../reliability/raw.ts";
import {
  gone,
  Held,
  notifications,
  pidOf,
  ReloadScene,
  reloaded,
  type Status,
  server,
  status,
  textOf,
  toolNames,
  until,
} from "./harness.ts";

const scenes: ReloadScene[] = [];
afterEach(async () => {
  for (const s of scenes.splice(0)) await s.cleanup();
});

const BASE = { a: server(), b: server(), c: server() };
const NAMES = ["a", "b", "c"] as const;

/** A stdio gateway on a, b and c, each started once; their pids. */
async function running(config: object = { servers: BASE }) {
  const scene = new ReloadScene();
  scenes.push(scene);
  scene.write(config);
  const gw = await scene.stdio();
  const pids = { a: 0, b: 0, c: 0 };
  for (const name of NAMES) {
    await gw.call(`_${name}_connect`);
    pids[name] = await pidOf(gw, `${name}_pid`);
  }
  return { scene, gw, pids };
}

const inFlight = (s: Status) =>
  s.servers.reduce((n, x) => n + x.in_flight, 0) +
  s.config.draining.reduce((n, x) => n + x.in_flight, 0);

/** Holds 32 calls on a, b and c, rewrites the config, and returns the status after the reload. */
async function reloadUnderLoad(scene: ReloadScene, gw: RawClient, next: object) {
  const held = new Held(gw).start(["a_sample", "b_sample", "c_sample"]);
  await held.inFlight();
  const before = await status(gw);
  const mark = gw.messages().length;
  scene.write(next);
  const after = await reloaded(gw, before);
  // Every call was still in flight when the reload was applied.
  expect(inFlight(after)).toBe(32);
  return { held, before, after, mark };
}

async function finish(scene: ReloadScene, gw: RawClient) {
  const { left } = await scene.shutdown(gw);
  expect(left).toEqual([]);
}

describe("reloading servers while 32 calls are in flight", () => {
  test("an added server appears lazily; clients hear list_changed; nothing else moves", async () => {
    const { scene, gw, pids } = await running();
    const next = { servers: { ...BASE, d: server() } };
    const { held, before, after, mark } = await reloadUnderLoad(scene, gw, next);
    expect(after.config.generation).toBe(before.config.generation + 1);
    expect(after.config.last_reload).toMatchObject({ ok: true, changes: ["servers added: d"] });
    expect(after.servers.find((s) => s.name === "d")).toMatchObject({
      state: "stopped",
      pid: null,
    });
    expect(notifications(gw, mark)).toContain("notifications/tools/list_changed");
    expect(await toolNames(gw)).toContain("_d_connect");
    await held.settle();
    for (const name of NAMES) expect(await pidOf(gw, `${name}_pid`)).toBe(pids[name]);
    await gw.call("_d_connect");
    expect(await pidOf(gw, "d_pid")).toBeGreaterThan(0);
    held.answeredOnce();
    await finish(scene, gw);
  });

  for (const how of ["removed", "disabled"] as const)
    test(`a ${how} server finishes its calls, then stops; its tools leave the lists`, async () => {
      const { scene, gw, pids } = await running();
      const servers =
        how === "removed"
          ? { a: BASE.a, c: BASE.c }
          : { ...BASE, b: { ...BASE.b, enabled: false } };
      const { held, after, mark } = await reloadUnderLoad(scene, gw, { servers });
      expect(after.config.last_reload?.changes).toEqual(["servers removed: b"]);
      expect(after.config.draining).toMatchObject([{ name: "b", pid: pids.b }]);
      expect(after.servers.map((s) => s.name)).toEqual(["a", "c"]);
      expect(notifications(gw, mark)).toContain("notifications/tools/list_changed");
      const names = await toolNames(gw);
      expect(names.some((n) => n.startsWith("b_"))).toBe(false);
      // A new call for it answers as an unknown tool, while its own calls are still running.
      const late = await gw.call("b_echo", { text: "x" });
      expect(late.error?.message).toContain("Unknown tool");
      await held.settle();
      await gone(pids.b);
      await until(gw, (s) => s.config.draining.length === 0, "b to leave the draining list");
      for (const name of ["a", "c"] as const)
        expect(await pidOf(gw, `${name}_pid`)).toBe(pids[name]);
      held.answeredOnce();
      await finish(scene, gw);
    });

  test("a server whose launch settings changed drains, and the next call starts it anew", async () => {
    const { scene, gw, pids } = await running();
    const c = server(["--tools", "2"], { env: { RELOADED: "yes" } });
    const { held, after } = await reloadUnderLoad(scene, gw, { servers: { ...BASE, c } });
    expect(after.config.last_reload?.changes).toEqual(["servers relaunched: c"]);
    expect(after.config.draining).toMatchObject([{ name: "c", pid: pids.c }]);
    // Its tools stay listed meanwhile, and a new call waits for the new process, not the old.
    expect(await toolNames(gw)).toContain("c_env");
    const fresh = await pidOf(gw, "c_pid");
    expect(fresh).not.toBe(pids.c);
    expect(textOf(await gw.call("c_env", { name: "RELOADED" }))).toBe("yes");
    await held.settle();
    await gone(pids.c);
    expect(await pidOf(gw, "c_pid")).toBe(fresh);
    // The new process's own tools, once it listed them.
    expect(await toolNames(gw)).toContain("c_t1");
    for (const name of ["a", "b"] as const) expect(await pidOf(gw, `${name}_pid`)).toBe(pids[name]);
    held.answeredOnce();
    await finish(scene, gw);
  });

  test("a new prefix and new timeouts apply in place: same processes", async () => {
    const { scene, gw, pids } = await running();
    const servers = {
      a: { ...BASE.a, prefix: "alpha" },
      b: { ...BASE.b, call_timeout: 1 },
      c: BASE.c,
    };
    const { held, after, mark } = await reloadUnderLoad(scene, gw, { servers });
    expect(after.config.last_reload?.changes).toEqual(["servers retuned: a, b"]);
    expect(after.config.draining).toEqual([]);
    expect(notifications(gw, mark)).toContain("notifications/tools/list_changed");
    const names = await toolNames(gw);
    expect(names).toContain("alpha_pid");
    expect(names).not.toContain("a_pid");
    // The held calls were sent with the old timeout and finish; a new call gets the new one.
    await held.settle();
    const timedOut = await gw.call("b_slow", { ms: 4000 });
    expect(textOf(timedOut)).toContain("call_timeout");
    expect(await pidOf(gw, "alpha_pid")).toBe(pids.a);
    expect(await pidOf(gw, "b_pid")).toBe(pids.b);
    expect(await pidOf(gw, "c_pid")).toBe(pids.c);
    held.answeredOnce();
    await finish(scene, gw);
  });

  test("a rewrite that changes nothing is a reload with no changes: no list_changed", async () => {
    const { scene, gw, pids } = await running();
    // Top-level keys in another order, a server's keys too, and defaults spelled out: the same.
    const same = {
      call_timeout: 120,
      servers: {
        a: BASE.a,
        b: { enabled: true, args: BASE.b.args, command: BASE.b.command },
        c: BASE.c,
      },
      roles: {},
    };
    const { held, before, after, mark } = await reloadUnderLoad(scene, gw, same);
    expect(after.config.generation).toBe(before.config.generation);
    expect(after.config.last_reload).toMatchObject({ ok: true, changes: [] });
    await held.settle();
    expect(notifications(gw, mark)).toEqual([]);
    for (const name of NAMES) expect(await pidOf(gw, `${name}_pid`)).toBe(pids[name]);
    held.answeredOnce();
    await finish(scene, gw);
  });
});
