// Issue 7, backend faults: each misbehaving backend gives the affected request a clear error that
// names the server, leaves a second (healthy) backend and its in-flight call untouched, and leaves
// no process behind once the gateway exits (checked in /proc). Through the real CLI over stdio.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { fixtureCommand } from "../helpers/fixture.ts";
import { BUN } from "../helpers/paths.ts";
import { catchesSignal, isAlive, markersIn, waitFor } from "../helpers/proc.ts";
import { textOf } from "../helpers/results.ts";
import type { Message, RawClient } from "./raw.ts";
import { failureText, healthy, JUNK_BACKEND, Scene } from "./scene.ts";

/** Per test: a gateway, two backends, and a stop sequence of up to 4 s for stubborn ones. */
const T = 25_000;

let scene: Scene;
beforeEach(() => {
  scene = new Scene();
});
afterEach(async () => {
  await scene.cleanup();
});

interface Run {
  gw: RawClient;
  /** The healthy backend's pid, taken before the fault. */
  goodPid: number;
  /** The id of a call in flight on the healthy backend while the fault happens. */
  goodSlow: number;
}

/** A gateway with `bad` and the healthy `good`, good started and busy with a 1.5 s call. */
async function start(bad: object, extra: object = {}): Promise<Run> {
  scene.writeConfig({ ...extra, servers: { bad, good: healthy() } });
  const gw = await scene.gateway();
  expect(textOf(await gw.call("_good_connect"))).toContain('Started server "good"');
  const goodPid = Number(textOf(await gw.call("good_pid")));
  const goodSlow = gw.id();
  gw.send({
    id: goodSlow,
    method: "tools/call",
    params: { name: "good_slow", arguments: { ms: 1500 } },
  });
  return { gw, goodPid, goodSlow };
}

/** The healthy backend answered its in-flight call, still runs as the same process, and answers more. */
async function goodUntouched({ gw, goodPid, goodSlow }: Run): Promise<void> {
  expect(textOf(await gw.response(goodSlow))).toBe("slept 1500 ms");
  expect(textOf(await gw.call("good_pid"))).toBe(String(goodPid));
  expect(textOf(await gw.call("good_echo", { text: "still here" }))).toBe("still here");
  expect((await gw.request("ping")).error).toBeUndefined();
}

/** Gateway exit: status 0, nothing left alive, nothing but JSON-RPC written to stdout. */
async function noProcessLeft(gw: RawClient, timeout?: number): Promise<void> {
  const { code, left } = await scene.shutdown(gw, timeout);
  expect({ code, left, junk: gw.junk }).toEqual({ code: 0, left: [], junk: [] });
}

/** The failure of `res`, which must exist and name the server. */
function failureOf(res: Message, server = "bad"): string {
  const text = failureText(res);
  expect(text ?? `not a failure: ${JSON.stringify(res)}`).toContain(`server "${server}"`);
  return text ?? "";
}

describe("a backend that", () => {
  test(
    "exits during a call: the call fails naming the server and exit code; next call restarts",
    async () => {
      const run = await start(fixtureCommand());
      await run.gw.call("_bad_connect");
      const failure = failureOf(await run.gw.call("bad_crash", { code: 7 }));
      expect(failure).toContain("exited with code 7");
      expect(failure).toContain("crashing");
      expect(textOf(await run.gw.call("bad_echo", { text: "back" }))).toBe("back");
      await goodUntouched(run);
      expect(scene.starts().length).toBe(3);
      await noProcessLeft(run.gw);
    },
    T,
  );

  test(
    "exits at start: a clear error naming the server and exit code",
    async () => {
      const run = await start(fixtureCommand(["--crash-on-start", "9"]));
      const failure = failureOf(await run.gw.call("_bad_connect"));
      expect(failure).toContain("exited with code 9");
      expect(failure).toContain("crashing on start");
      await goodUntouched(run);
      await noProcessLeft(run.gw);
    },
    T,
  );

  test(
    "hangs at start: start_timeout fails the request and the process is stopped",
    async () => {
      const run = await start({ ...fixtureCommand(["--hang-on-start"]), start_timeout: 1 });
      const failure = failureOf(await run.gw.call("_bad_connect"));
      expect(failure).toContain("start_timeout");
      const hung = scene.starts().filter((p) => p !== run.goodPid);
      expect(hung.length).toBe(1);
      await waitFor(() => !hung.some(isAlive), { timeout: 6000, message: "hung backend stopped" });
      await goodUntouched(run);
      await noProcessLeft(run.gw);
    },
    T,
  );

  test(
    "hangs on one call: call_timeout fails it, the backend is told, the next call works",
    async () => {
      const run = await start({ ...fixtureCommand(), call_timeout: 1 });
      await run.gw.call("_bad_connect");
      const pid = textOf(await run.gw.call("bad_pid"));
      const failure = failureOf(await run.gw.call("bad_hang"));
      expect(failure).toContain("call_timeout");
      await waitFor(() => markersIn(scene.pidDir, "cancelled-").length > 0, {
        message: "notifications/cancelled at the backend",
      });
      expect(textOf(await run.gw.call("bad_pid"))).toBe(pid);
      await goodUntouched(run);
      await noProcessLeft(run.gw);
    },
    T,
  );

  test(
    "writes junk before every message and splits messages across writes",
    async () => {
      const run = await start(fixtureCommand(["--noisy-stdout"]));
      expect(textOf(await run.gw.call("_bad_connect"))).toContain("bad_echo");
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => run.gw.call("bad_echo", { text: `n${i}` })),
      );
      expect(answers.map(textOf)).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`));
      expect(run.gw.stderrText()).toContain("fixture noise");
      await goodUntouched(run);
      await noProcessLeft(run.gw);
    },
    T,
  );

  test(
    "writes non-messages, invalid UTF-8, bogus ids, progress and cancellations",
    async () => {
      const run = await start({ command: BUN, args: [JUNK_BACKEND, "--no-proto-keys"] });
      expect(textOf(await run.gw.call("_bad_connect"))).toContain("bad_echo");
      expect(textOf(await run.gw.call("bad_echo", { text: "through the junk" }))).toBe(
        "through the junk",
      );
      scene.note(run.gw.pid);
      await goodUntouched(run);
      await noProcessLeft(run.gw);
    },
    T,
  );

  // "toString" finds LIST_OF["toString"] in ServerHandle.onNotification (reported): this used to
  // kill the gateway through an unhandled rejection; the refresh queue now swallows it.
  test(
    "sends messages whose method names are Object.prototype keys",
    async () => {
      const run = await start({ command: BUN, args: [JUNK_BACKEND] });
      expect(textOf(await run.gw.call("_bad_connect"))).toContain("bad_echo");
      expect(textOf(await run.gw.call("bad_echo", { text: "still up" }))).toBe("still up");
      scene.note(run.gw.pid);
      await goodUntouched(run);
      await noProcessLeft(run.gw);
    },
    T,
  );

  test(
    "writes megabytes to stderr: drained, logged with its name, and it still answers",
    async () => {
      const run = await start(fixtureCommand(["--stderr-flood", String(4 * 1024 * 1024)]));
      expect(textOf(await run.gw.call("_bad_connect"))).toContain("bad_echo");
      expect(textOf(await run.gw.call("bad_echo", { text: "after flood" }))).toBe("after flood");
      expect(run.gw.stderrText()).toContain("[bad] flood flood");
      await goodUntouched(run);
      await noProcessLeft(run.gw);
    },
    T,
  );

  test(
    "ignores SIGTERM and stdin EOF: killed with the group at gateway exit",
    async () => {
      const run = await start(fixtureCommand(["--ignore-sigterm", "--ignore-stdin-eof"]));
      await run.gw.call("_bad_connect");
      const pid = Number(textOf(await run.gw.call("bad_pid")));
      expect(catchesSignal(pid, "SIGTERM")).toBe(true);
      await goodUntouched(run);
      // stdin close (2 s), SIGTERM (2 s), then SIGKILL.
      await noProcessLeft(run.gw, 15_000);
    },
    T,
  );

  test(
    "spawns a grandchild that ignores SIGTERM: gone at gateway exit",
    async () => {
      const run = await start(fixtureCommand(["--grandchild"]));
      await run.gw.call("_bad_connect");
      const [grandchild] = scene.grandchildren();
      expect(grandchild !== undefined && isAlive(grandchild)).toBe(true);
      await goodUntouched(run);
      await noProcessLeft(run.gw, 15_000);
    },
    T,
  );

  // The grandchild inherits the backend's stdout: the exit, not stdout's EOF, must end the calls.
  test(
    "exits during a call while its grandchild holds stdout open",
    async () => {
      const run = await start(fixtureCommand(["--grandchild"]), { call_timeout: 30 });
      await run.gw.call("_bad_connect");
      const started = Date.now();
      const failure = failureOf(await run.gw.call("bad_crash", { code: 4 }, 10_000));
      expect(failure).toContain("exited with code 4");
      expect(Date.now() - started).toBeLessThan(10_000);
      const [grandchild = 0] = scene.grandchildren();
      await waitFor(() => !isAlive(grandchild), { timeout: 6000, message: "grandchild reaped" });
      expect(textOf(await run.gw.call("bad_echo", { text: "restarted" }))).toBe("restarted");
      await goodUntouched(run);
      await noProcessLeft(run.gw, 15_000);
    },
    T,
  );

  // Its child has its own stdio, so the exit is seen at once; the child must not outlive it.
  test(
    "exits during a call, leaving a child in its process group",
    async () => {
      const { command, args } = fixtureCommand();
      const sleeper = `'${BUN}' -e 'setInterval(() => {}, 1e9)' </dev/null >/dev/null 2>&1 &`;
      const marker = `: > "$FIXTURE_PID_DIR/grandchild-$!"`;
      const exec = `exec ${[command, ...args].map((a) => `'${a}'`).join(" ")}`;
      const run = await start({ command: "sh", args: ["-c", `${sleeper} ${marker}; ${exec}`] });
      await run.gw.call("_bad_connect");
      const [child = 0] = scene.grandchildren();
      expect(isAlive(child)).toBe(true);
      failureOf(await run.gw.call("bad_crash", { code: 5 }));
      await waitFor(() => !isAlive(child), {
        timeout: 6000,
        message: "orphaned group member reaped",
      });
      await goodUntouched(run);
      await noProcessLeft(run.gw);
    },
    T,
  );

  test(
    "floods notifications: every one forwarded in order, the call answered, others unharmed",
    async () => {
      const run = await start(fixtureCommand(["--notify-flood", "5000"]));
      await run.gw.call("_bad_connect");
      const count = 20_000;
      const res = await run.gw.call("bad_notify", { count }, 30_000);
      expect(textOf(res)).toBe(`sent ${count}`);
      const data = run.gw
        .messages()
        .filter((m) => m.method === "notifications/message")
        .map((m) => String(m.params?.data));
      const ofCall = data.filter((d) => d.endsWith(` of ${count}`));
      expect(ofCall.length).toBe(count);
      expect(ofCall[0]).toBe(`message 1 of ${count}`);
      expect(ofCall[count - 1]).toBe(`message ${count} of ${count}`);
      expect(data.filter((d) => d.startsWith("flood ")).length).toBe(5000);
      await goodUntouched(run);
      await noProcessLeft(run.gw);
    },
    T,
  );
});
