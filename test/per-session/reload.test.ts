// share: per_session and config reload: a relaunch drains every session's process (their calls
// in flight finish, then they stop) and the sessions' next calls start new ones; max_sessions is
// applied in place (same processes); `share` is a launch setting, and `share: shared` written
// out is the default left out.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ConfigSchema } from "../../src/config/schema.ts";
import { MCPGateway } from "../../src/gateway.ts";
import { diffConfig } from "../../src/reload/diff.ts";
import { isAlive, waitFor } from "../helpers/proc.ts";
import { gone, Scene, text } from "./harness.ts";

let scene: Scene;
let gw: MCPGateway | undefined;
beforeEach(() => {
  scene = new Scene();
});
afterEach(async () => {
  await gw?.close();
  gw = undefined;
  await scene.cleanup();
});

const file = () => join(scene.dir.path, "gateway.yaml");
async function write(extra: Record<string, unknown>): Promise<void> {
  const config = { servers: { fx: scene.fixture([], { share: "per_session", ...extra }) } };
  await Bun.write(file(), JSON.stringify(config));
}

describe("reload", () => {
  test("a relaunch drains every session's process; max_sessions is applied in place", async () => {
    await write({ max_sessions: 4 });
    gw = await MCPGateway.fromConfig(file(), { cacheDir: join(scene.dir.path, "cache") });
    const a = await scene.client(gw, "A");
    const b = await scene.client(gw, "B");
    const old = [Number(text(await a.call("fx_pid"))), Number(text(await b.call("fx_pid")))];
    // Retuned: the same processes, the new limit.
    await write({ max_sessions: 3 });
    expect((await gw.reload()).changes).toEqual(["servers retuned: fx"]);
    expect(gw.router.serverHandles[0]?.sessions?.max).toBe(3);
    expect(gw.router.serverHandles[0]?.lanes.map((l) => l.pid).sort()).toEqual(old.sort());
    // Relaunched while a call of each session is in flight: both calls finish, both processes go.
    const slow = [a.call("fx_slow", { ms: 1500 }), b.call("fx_slow", { ms: 1500 })];
    const before = gw.router.serverHandles[0];
    await waitFor(() => before?.inFlight === 2, { message: "both calls in flight" });
    await write({ max_sessions: 3, env: { FIXTURE_PID_DIR: scene.pidDir, RELAUNCHED: "1" } });
    const outcome = await gw.reload();
    expect(outcome.changes).toEqual(["servers relaunched: fx"]);
    expect((await Promise.all(slow)).map(text)).toEqual(["slept 1500 ms", "slept 1500 ms"]);
    await gone(old);
    expect(before?.lanes.map((l) => l.state)).toEqual(["stopped", "stopped"]);
    const now = [Number(text(await a.call("fx_pid"))), Number(text(await b.call("fx_pid")))];
    expect(new Set([...now, ...old]).size).toBe(4);
    for (const p of now) expect(isAlive(p)).toBe(true);
  }, 30_000);

  test("the diff: share is a launch setting; max_sessions is retuned", () => {
    const parse = (s: Record<string, unknown>) =>
      ConfigSchema.parse({ servers: { fx: { command: "srv", ...s } } });
    const shared = parse({});
    expect(diffConfig(shared, parse({ share: "shared" }))).toMatchObject({
      relaunched: [],
      retuned: [],
    });
    const per = parse({ share: "per_session" });
    expect(diffConfig(shared, per).relaunched).toEqual(["fx"]);
    expect(diffConfig(per, shared).relaunched).toEqual(["fx"]);
    expect(diffConfig(per, parse({ share: "per_session", max_sessions: 2 }))).toMatchObject({
      relaunched: [],
      retuned: ["fx"],
    });
  });
});
