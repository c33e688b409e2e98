// SPEC 4, lazy backends, through the real CLI (`bun src/main.ts stdio`): nothing starts before a
// request needs it, one start however many requests arrive, idle stop and restart, the schema
// cache, the placeholder tool and list_changed. Starts are counted from FIXTURE_PID_DIR.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { fixtureCommand } from "../helpers/fixture.ts";
import { descendants, isAlive, waitFor } from "../helpers/proc.ts";
import { textOf, toolNames } from "../helpers/results.ts";
import { allGone, Scene } from "./harness.ts";

let scene: Scene;
beforeEach(() => {
  scene = new Scene();
});
afterEach(async () => {
  await scene.cleanup();
});

/** Runs `mcp-gateway list --refresh` on the scene's config; returns its stdout. */
async function refresh(): Promise<string> {
  const proc = scene.spawn(["list", "--refresh", "--config", scene.config]);
  const code = await Promise.race([proc.exited, Bun.sleep(15_000).then(() => "timeout")]);
  expect({ code, stderr: proc.stderrText() }).toMatchObject({ code: 0 });
  return proc.junk.join("\n");
}

describe("starting on demand", () => {
  test("no child process before the first call; placeholders listed", async () => {
    scene.writeConfig({
      servers: { fx: fixtureCommand(), other: fixtureCommand(["--grandchild"]) },
    });
    const gw = await scene.gateway();
    const list = await gw.request("tools/list");
    const names = toolNames(list);
    expect(names).toContain("_fx_connect");
    expect(names).toContain("_other_connect");
    expect(names).not.toContain("fx_echo");
    const tools = list.result?.tools as { name: string; description?: string }[];
    const placeholder = tools.find((t) => t.name === "_fx_connect");
    expect(placeholder?.description ?? "").toMatch(/fx/);
    for (const m of ["prompts/list", "resources/list", "resources/templates/list", "ping"])
      expect((await gw.request(m)).error).toBeUndefined();
    expect(scene.starts()).toEqual([]);
    expect(descendants(gw.pid)).toEqual([]);
  }, 15_000);

  test("20 concurrent first calls start each backend once", async () => {
    scene.writeConfig({ servers: { warm: fixtureCommand() } });
    await refresh();
    const warmed = scene.starts();
    expect(warmed.length).toBe(1);
    await allGone(warmed);
    scene.writeConfig({
      servers: { warm: fixtureCommand(), cold: fixtureCommand(["--tools", "1"]) },
    });

    const gw = await scene.gateway();
    expect(await gw.tools()).toContain("warm_pid");
    const calls = [
      ...Array.from({ length: 20 }, () => gw.call("warm_pid", {}, 20_000)),
      ...Array.from({ length: 20 }, () => gw.call("_cold_connect", {}, 20_000)),
    ];
    const results = await Promise.all(calls);
    for (const r of results) expect(r.error ?? r.result?.isError).toBeUndefined();
    const pids = new Set(results.slice(0, 20).map(textOf));
    expect(pids.size).toBe(1);
    const fresh = scene.starts().filter((p) => !warmed.includes(p));
    expect(fresh.length).toBe(2);
    expect(fresh).toContain(Number([...pids][0]));
    for (const r of results.slice(20)) expect(textOf(r)).toContain("cold_t0");
  }, 30_000);

  test("idle backend is stopped after idle_timeout and restarted by the next call", async () => {
    scene.writeConfig({ servers: { fx: { ...fixtureCommand(), idle_timeout: 1 } } });
    const gw = await scene.gateway();
    expect(textOf(await gw.call("_fx_connect"))).toContain("fx_pid");
    const first = Number(textOf(await gw.call("fx_pid")));
    expect(scene.starts()).toEqual([first]);
    await waitFor(() => !isAlive(first), { timeout: 8000, message: "idle stop" });
    expect(gw.stderrText()).toMatch(/stopping server "fx" \(idle for \d+ s\)/);
    expect(descendants(gw.pid)).toEqual([]);

    const second = Number(textOf(await gw.call("fx_pid")));
    expect(second).not.toBe(first);
    expect(scene.starts().sort()).toEqual([first, second].sort());
    // Backend stderr reaches the gateway's log, one line each, prefixed with the server's name.
    for (const pid of [first, second])
      expect(gw.stderrText()).toContain(`[fx] fixture started pid=${pid}\n`);
  }, 20_000);
});

describe("schema cache", () => {
  test("a warm cache lists real tools with nothing started; corrupt cache is a miss, rewritten", async () => {
    scene.writeConfig({ servers: { fx: fixtureCommand() } });
    const first = await scene.gateway();
    await first.call("_fx_connect");
    first.close();
    await first.exited;
    const files = scene.cacheFiles();
    expect(files.length).toBe(1);
    const file = files[0] ?? "";
    expect(file).toMatch(/\/fx-[0-9a-f]+\.json$/);
    expect((scene.cacheJson().tools as { name: string }[]).map((t) => t.name)).toContain("echo");
    const started = scene.starts();
    expect(started.length).toBe(1);

    const second = await scene.gateway();
    const names = await second.tools();
    expect(names).toContain("fx_echo");
    expect(names).not.toContain("_fx_connect");
    expect((await second.request("prompts/list")).result?.prompts).toHaveLength(1);
    expect(scene.starts()).toEqual(started);
    expect(descendants(second.pid)).toEqual([]);
    second.close();
    await second.exited;

    writeFileSync(file, '{"version": 1, "tools": [ truncated');
    const inode = statSync(file).ino;
    const third = await scene.gateway();
    expect(await third.tools()).toContain("_fx_connect");
    expect(third.stderrText()).toContain("ignoring corrupt schema cache");
    expect(scene.starts()).toEqual(started);
    await third.call("_fx_connect");
    await waitFor(() => JSON.parse(readFileSync(file, "utf8")), { message: "cache rewritten" });
    // Written to a temporary file and renamed over the old one: a new inode, no leftovers.
    expect(statSync(file).ino).not.toBe(inode);
    expect(scene.cacheFiles()).toEqual([file]);
  }, 20_000);

  test("list --refresh fills the cache and leaves no process behind", async () => {
    scene.writeConfig({
      servers: { fx: fixtureCommand(["--grandchild"]), two: fixtureCommand(["--tools", "2"]) },
    });
    const out = await refresh();
    expect(out).toContain("fx_echo");
    expect(out).toContain("two_t1");
    expect(scene.cacheFiles().length).toBe(2);
    expect(scene.starts().length).toBe(2);
    expect(scene.grandchildren().length).toBe(1);
    await allGone([...scene.starts(), ...scene.grandchildren()]);

    const gw = await scene.gateway();
    expect(await gw.tools()).toEqual(expect.arrayContaining(["fx_echo", "two_t1"]));
    expect(scene.starts().length).toBe(2);
  }, 30_000);
});

describe("list_changed", () => {
  test("the placeholder starts the backend, names its tools and announces the change", async () => {
    scene.writeConfig({ servers: { fx: fixtureCommand() } });
    const gw = await scene.gateway();
    const res = await gw.call("_fx_connect");
    expect(res.result?.isError).toBeUndefined();
    expect(textOf(res)).toContain('Started server "fx"');
    expect(textOf(res)).toContain("fx_echo");
    await gw.waitForMessage((m) => m.method === "notifications/tools/list_changed", 5000);
    const names = await gw.tools();
    expect(names).toContain("fx_echo");
    expect(names).not.toContain("_fx_connect");
    expect(textOf(await gw.call("fx_echo", { text: "hi" }))).toBe("hi");
    // A client holding the old list may still call the placeholder: answered, not refused.
    const again = await gw.call("_fx_connect");
    expect(again.result?.isError).toBeUndefined();
    expect(textOf(again)).toContain("fx_echo");
    expect(scene.starts().length).toBe(1);
  }, 15_000);

  test("a backend whose tools differ from the cache updates it and announces the change", async () => {
    // Same command, args and env names (the cache key); only the env value differs.
    const server = (prefix: string) => ({
      command: "sh",
      args: ["-c", `exec '${process.execPath}' '${fixtureCommand().args[0]}' --tool-prefix "$P"`],
      env: { P: prefix },
    });
    scene.writeConfig({ servers: { fx: server("a") } });
    const first = await scene.gateway();
    await first.call("_fx_connect");
    expect(await first.tools()).toContain("fx_aecho");
    first.close();
    await first.exited;

    scene.writeConfig({ servers: { fx: server("b") } });
    const gw = await scene.gateway();
    expect(await gw.tools()).toContain("fx_aecho");
    expect(scene.starts().length).toBe(1);
    await gw.call("fx_apid");
    await gw.waitForMessage((m) => m.method === "notifications/tools/list_changed", 5000);
    const names = await gw.tools();
    expect(names).toContain("fx_becho");
    expect(names).not.toContain("fx_aecho");
    const cached = (scene.cacheJson().tools as { name: string }[]).map((t) => t.name);
    expect(cached).toContain("becho");
    expect(scene.starts().length).toBe(2);
  }, 20_000);

  test("a backend's own tools/list_changed reaches the client", async () => {
    scene.writeConfig({ servers: { fx: fixtureCommand(["--list-changed-after", "1500"]) } });
    const gw = await scene.gateway();
    await gw.call("_fx_connect");
    const before = gw.received("notifications/tools/list_changed").length;
    expect(await gw.tools()).not.toContain("fx_late");
    await waitFor(async () => (await gw.tools()).includes("fx_late"), {
      timeout: 5000,
      message: "fx_late listed",
    });
    expect(gw.received("notifications/tools/list_changed").length).toBeGreaterThan(before);
    expect(textOf(await gw.call("fx_late"))).toBe("late");
  }, 15_000);
});
