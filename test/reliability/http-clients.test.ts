// Issue 7, other clients untouched: over HTTP (`mcp-gateway serve`), client A drives a backend
// through its faults (a crash mid-call, a call past call_timeout, a flood of notifications, a
// dropped connection) while client B keeps calling. B's calls are all answered, exactly once and
// correctly, B never sees A's ids or progress, and nothing is left running after the gateway exits.
import { afterAll, describe, expect, test } from "bun:test";
import { fixtureCommand } from "../helpers/fixture.ts";
import { isAlive } from "../helpers/proc.ts";
import { textOf } from "../helpers/results.ts";
import { HttpClient } from "./http-client.ts";
import type { Message } from "./raw.ts";
import { failureText, healthy, Scene } from "./scene.ts";

const scene = new Scene();
afterAll(() => scene.cleanup());

/** B's steady traffic until `stop`: echoes and short slow calls, on good and on bad itself. */
async function steady(b: HttpClient, stop: () => boolean) {
  const results: { sent: string; got: Message }[] = [];
  for (let i = 0; !stop(); i++) {
    const sent = `b-${i}`;
    const got =
      i % 3 === 2
        ? await b.call("good_slow", { ms: 200 })
        : await b.call("good_echo", { text: sent });
    results.push({ sent: i % 3 === 2 ? "slept 200 ms" : sent, got });
  }
  return results;
}

describe("two HTTP clients", () => {
  test("A's faults leave B's calls, session and view untouched", async () => {
    scene.writeConfig({
      servers: { bad: { ...fixtureCommand(), call_timeout: 1 }, good: healthy() },
    });
    const { proc, url } = await scene.serve();
    const a = new HttpClient(url);
    const b = new HttpClient(url);
    await a.initialize();
    await b.initialize();
    await a.call("_bad_connect");
    await b.call("_good_connect");

    let done = false;
    const traffic = steady(b, () => done);

    // A crash mid-call: A gets the error naming the server, then the server comes back.
    const crash = await a.call("bad_crash", { code: 6 });
    expect(failureText(crash)).toContain('server "bad"');
    expect(failureText(crash)).toContain("exited with code 6");
    // A call past call_timeout.
    expect(failureText(await a.call("bad_hang", {}, 10_000))).toContain("call_timeout");
    // A flood of notifications and progress on A's own request.
    const flood = await a.post(
      JSON.stringify({
        jsonrpc: "2.0",
        id: "a-flood",
        method: "tools/call",
        params: { name: "bad_notify", arguments: { count: 3000 } },
      }),
      { ids: ["a-flood"], timeout: 20_000 },
    );
    expect(textOf(flood.messages.find((m) => m.id === "a-flood") ?? {})).toBe("sent 3000");
    const progress = await a.post(
      JSON.stringify({
        jsonrpc: "2.0",
        id: "a-progress",
        method: "tools/call",
        params: { name: "bad_slow", arguments: { ms: 300 }, _meta: { progressToken: "a-token" } },
      }),
      { ids: ["a-progress"] },
    );
    expect(progress.messages.some((m) => m.method === "notifications/progress")).toBe(true);
    // A leaves mid-call without a word: its request is cancelled after the resume grace.
    await a.post(
      JSON.stringify({
        jsonrpc: "2.0",
        id: "a-left",
        method: "tools/call",
        params: { name: "bad_slow", arguments: { ms: 5000 } },
      }),
      { timeout: 300 },
    );

    done = true;
    const results = await traffic;
    expect(results.length).toBeGreaterThan(5);
    for (const { sent, got } of results) expect(textOf(got)).toBe(sent);
    // Exactly one answer per id B used, and none of A's traffic on B's streams.
    for (const [id, answers] of b.answers) expect({ id, n: answers.length }).toEqual({ id, n: 1 });
    expect([...b.answers.keys()].some((id) => String(id).startsWith("a-"))).toBe(false);
    const tokens = b.incoming
      .filter((m) => m.method === "notifications/progress")
      .map((m) => m.params?.progressToken);
    expect(tokens).not.toContain("a-token");
    expect(textOf(await b.call("good_echo", { text: "B still fine" }))).toBe("B still fine");
    expect(textOf(await a.call("bad_echo", { text: "A still fine" }))).toBe("A still fine");

    const { code, left } = await scene.shutdown(proc, 15_000, "SIGTERM");
    expect({ code, left }).toEqual({ code: 0, left: [] });
    expect(scene.backends().filter(isAlive)).toEqual([]);
  }, 60_000);
});
