// SPEC 4, stopping and failing: no orphan after an idle stop, a stdin close or SIGTERM (backends
// that ignore SIGTERM and stdin EOF, spawn a grandchild, sit behind `sh -c`); a crash fails the
// call in flight, a failing start backs off, a hanging start times out. Checked through /proc.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { fixtureCommand } from "../helpers/fixture.ts";
import { descendants, isAlive, waitFor } from "../helpers/proc.ts";
import { textOf } from "../helpers/results.ts";
import { allGone, type GatewayProc, Scene, shWrapped } from "./harness.ts";

let scene: Scene;
beforeEach(() => {
  scene = new Scene();
});
afterEach(async () => {
  await scene.cleanup();
});

const STUBBORN = ["--grandchild", "--ignore-sigterm", "--ignore-stdin-eof"];

/** Two stubborn backends, one behind a shell that stays their parent; both started. */
async function startStubborn(idle: number): Promise<{ gw: GatewayProc; pids: number[] }> {
  scene.writeConfig({
    idle_timeout: idle,
    servers: { direct: fixtureCommand(STUBBORN), wrapped: shWrapped(STUBBORN) },
  });
  const gw = await scene.gateway();
  const answers = await Promise.all([gw.call("_direct_connect"), gw.call("_wrapped_connect")]);
  for (const a of answers) expect(textOf(a)).toContain("Started server");
  expect(scene.starts().length).toBe(2);
  expect(scene.grandchildren().length).toBe(2);
  const pids = scene.note(gw.pid);
  // sh, two fixtures, two grandchildren.
  expect(pids.length).toBe(5);
  for (const p of [...scene.starts(), ...scene.grandchildren()]) expect(pids).toContain(p);
  return { gw, pids };
}

describe("no orphan", () => {
  test("after an idle stop", async () => {
    const { gw, pids } = await startStubborn(1);
    // idle_timeout, then stdin close (2 s), SIGTERM (2 s), SIGKILL to each group.
    await allGone(pids, 9000);
    expect(isAlive(gw.pid)).toBe(true);
    expect((await gw.request("ping")).error).toBeUndefined();
  }, 20_000);

  test("after the gateway's stdin closes", async () => {
    const { gw, pids } = await startStubborn(0);
    gw.close();
    await allGone(pids, 7000);
    await waitFor(() => !isAlive(gw.pid), { timeout: 3000, message: "gateway exit" });
    expect(await gw.exited).toBe(0);
  }, 20_000);

  test("after SIGTERM to the gateway, which then exits", async () => {
    const { gw, pids } = await startStubborn(0);
    gw.kill("SIGTERM");
    await allGone(pids, 7000);
    // Its client still holds stdin open: the signal alone must end the process.
    await waitFor(() => !isAlive(gw.pid), { timeout: 3000, message: "gateway exit after SIGTERM" });
  }, 20_000);

  test("after the gateway's stdin closes during a start that hangs", async () => {
    // The default start_timeout (60 s) must not hold the exit back.
    scene.writeConfig({ servers: { fx: fixtureCommand(["--hang-on-start", "--grandchild"]) } });
    const gw = await scene.gateway();
    const pending = gw.call("_fx_connect", {}, 10_000).catch(() => undefined);
    await waitFor(() => scene.grandchildren().length === 1, { message: "backend started" });
    const pids = [...scene.starts(), ...scene.grandchildren()];
    gw.close();
    await allGone(pids, 7000);
    await waitFor(() => !isAlive(gw.pid), { timeout: 3000, message: "gateway exit" });
    expect(gw.stderrText()).not.toContain("start_timeout");
    await pending;
  }, 20_000);
});

describe("failures", () => {
  test("a crash fails the call in flight; the next call restarts the backend", async () => {
    // The grandchild keeps the crashed server's stdout open: the exit alone must end the call.
    scene.writeConfig({ servers: { fx: fixtureCommand(["--grandchild"]) } });
    const gw = await scene.gateway();
    await gw.call("_fx_connect");
    const [first] = scene.starts();
    const res = await gw.call("fx_crash", { code: 3 }, 5000);
    expect(res.result?.isError).toBe(true);
    const text = textOf(res);
    expect(text).toContain('server "fx"');
    expect(text).toContain("exited with code 3");
    expect(text).toContain("crashing");
    expect((await gw.request("ping")).error).toBeUndefined();
    const second = Number(textOf(await gw.call("fx_pid")));
    expect(second).not.toBe(first ?? 0);
    expect(scene.starts().length).toBe(2);
    // What the crashed server left in its process group is stopped too.
    const [orphan] = scene.grandchildren().filter((p) => descendants(second).indexOf(p) < 0);
    await allGone([first ?? 0, orphan ?? 0]);
  }, 15_000);

  test("repeated start failures back off with a clear error", async () => {
    scene.writeConfig({ servers: { fx: fixtureCommand(["--crash-on-start", "5"]) } });
    const gw = await scene.gateway();
    for (let i = 0; i < 2; i++) {
      const res = await gw.call("_fx_connect");
      expect(res.result?.isError).toBe(true);
      expect(textOf(res)).toContain('server "fx"');
      expect(textOf(res)).toContain("exited with code 5");
      expect(textOf(res)).toContain("crashing on start");
    }
    const res = await gw.call("_fx_connect");
    expect(res.result?.isError).toBe(true);
    expect(textOf(res)).toMatch(/server "fx".*backing off/);
    expect(textOf(res)).toContain("exited with code 5");
    // The first start probes the era (server/discover) and, the process having exited, starts
    // it once more to initialize; later starts remember that verdict: 2 + 1, then no more.
    expect(scene.starts().length).toBe(3);
    expect((await gw.request("ping")).error).toBeUndefined();
  }, 15_000);

  test("a start that hangs times out with an error naming the server", async () => {
    scene.writeConfig({
      servers: { fx: { ...fixtureCommand(["--hang-on-start"]), start_timeout: 1 } },
    });
    const gw = await scene.gateway();
    const res = await gw.call("_fx_connect", {}, 10_000);
    expect(res.result?.isError).toBe(true);
    expect(textOf(res)).toContain('server "fx"');
    expect(textOf(res)).toContain("start_timeout");
    expect(textOf(res)).toContain("fixture started");
    await allGone(scene.starts());
  }, 15_000);
});
