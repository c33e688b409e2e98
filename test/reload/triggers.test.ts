// Issue 14, what starts a reload: the watcher (a burst of writes costs one or two reloads, not one
// each), SIGHUP, and `mcp-gateway reload` (through serve's run file); `--no-watch`; a setting that
// needs a restart is reported and left as it runs.
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { HttpClient } from "../reliability/http-client.ts";
import { Held, ReloadScene, reloaded, server, status, textOf, until, waitFor } from "./harness.ts";

const scenes: ReloadScene[] = [];
afterEach(async () => {
  for (const s of scenes.splice(0)) await s.cleanup();
});

const scene = () => {
  const s = new ReloadScene();
  scenes.push(s);
  return s;
};

/** Reloads the gateway logged so far (applied, or with no changes). */
const reloads = (stderr: string) =>
  stderr.split("\n").filter((l) => l.includes("config reloaded")).length;

describe("triggers", () => {
  test("a burst of 20 writes in a second reloads once or twice, with 32 calls in flight", async () => {
    const s = scene();
    const servers = { a: server(), b: server() };
    s.write({ servers });
    const gw = await s.stdio();
    expect((await status(gw)).config.watching).toBe(true);
    await gw.call("_a_connect");
    await gw.call("_b_connect");
    const held = new Held(gw).start(["a_sample", "b_sample"]);
    await held.inFlight();
    // An editor saving twenty times: each write a real change (another call_timeout).
    for (let i = 1; i <= 20; i++) {
      s.write({ call_timeout: 100 + i, servers: i === 20 ? { ...servers, z: server() } : servers });
      await Bun.sleep(50);
    }
    const burst = await until(gw, (x) => x.servers.some((v) => v.name === "z"), "the last write");
    const afterBurst = reloads(gw.stderrText());
    expect(afterBurst).toBeGreaterThanOrEqual(1);
    expect(afterBurst).toBeLessThanOrEqual(2);
    // One more write, once: any reload the burst still owed would come before this one's.
    s.write({ call_timeout: 100, servers: { ...servers, z: server(), y: server() } });
    const last = await until(gw, (x) => x.servers.some((v) => v.name === "y"), "one more write");
    expect(reloads(gw.stderrText())).toBe(afterBurst + 1);
    expect(last.config.generation).toBe(burst.config.generation + 1);
    await held.settle();
    held.answeredOnce();
    const { left } = await s.shutdown(gw);
    expect(left).toEqual([]);
  });

  test("--no-watch: edits wait for SIGHUP", async () => {
    const s = scene();
    s.write({ servers: { a: server() } });
    const gw = await s.stdio(["--no-watch"]);
    const before = await status(gw);
    expect(before.config.watching).toBe(false);
    s.write({ servers: { a: server(), b: server() } });
    process.kill(gw.pid, "SIGHUP");
    const after = await reloaded(gw, before);
    expect(after.config.last_reload).toMatchObject({ ok: true, changes: ["servers added: b"] });
    expect(reloads(gw.stderrText())).toBe(1);
    const { left } = await s.shutdown(gw);
    expect(left).toEqual([]);
  });

  test("`mcp-gateway reload` signals the serve of a config and says how it went", async () => {
    const s = scene();
    const env = { XDG_RUNTIME_DIR: join(s.dir.path, "run") };
    s.write({ servers: { a: server() } });
    const { proc, url } = await s.serve({ args: ["--no-watch"], env });
    const client = new HttpClient(url);
    await client.initialize();
    await client.call("_a_connect");
    const held = Array.from({ length: 32 }, () => client.call("a_slow", { ms: 3000 }, 30_000));

    s.write({ servers: { a: server(), b: server() } });
    const ok = await s.run(["reload", "--config", s.config], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(`pid ${proc.pid} (${url}): reloaded, generation 2: servers added: b`);

    s.write({ servers: { a: server(), b: server() }, http: { max_body_bytes: 100 } });
    const restart = await s.run(["reload", "--config", s.config], env);
    expect(restart.code).toBe(0);
    expect(restart.stdout).toContain("no changes; needs a restart to apply: http.max_body_bytes");
    // The running limit stays: a body over the new one is still taken.
    const big = await client.call("a_echo", { text: "x".repeat(500) });
    expect(big.error).toBeUndefined();

    s.write({ servers: { a: { command: 42 } } });
    const broken = await s.run(["reload", "--config", s.config], env);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(
      `reload failed: ${s.config}:4:18: servers.a.command: expected a string, got an integer`,
    );

    const other = await s.run(["reload", "--config", join(s.dir.path, "other.yaml")], env);
    expect(other.code).toBe(2);
    for (const res of await Promise.all(held)) expect(textOf(res)).toBe("slept 3000 ms");
    const { left } = await s.shutdown(proc, 10_000, "SIGTERM");
    expect(left).toEqual([]);
    // The run file goes with the gateway.
    await waitFor(async () => (await s.run(["reload", "--config", s.config], env)).code === 2, {
      message: "no gateway left to reload",
    });
  });
});
