// Issue 7, fuzz: 10,000 seeded malformed or adversarial messages on stdio and 10,000 on HTTP,
// each after a warm-up. The gateway must answer every request with a fresh id exactly once
// (reused or cancelled ids at most as often as they allow), still answer afterwards, and keep
// its RSS within 1.2x of the warm-up's (each the lowest of a few seconds of samples).
// FUZZ_SEED picks another run; failures name the seed.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { rssKb, waitFor } from "../helpers/proc.ts";
import { textOf } from "../helpers/results.ts";
import { limits, violations } from "./fuzz-check.ts";
import { type FuzzCase, FuzzGen, mulberry32 } from "./fuzz-gen.ts";
import { HttpClient } from "./http-client.ts";
import type { Id, RawClient } from "./raw.ts";
import { healthy, Scene } from "./scene.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_701);
const COUNT = 10_000;
const WARMUP = 5_000;

let scene: Scene;
beforeEach(() => {
  scene = new Scene();
  scene.writeConfig({
    call_timeout: 10,
    roles: { fuzz: ["good_*", "gateway_status"] },
    servers: { good: healthy(), secret: healthy() },
  });
});
afterEach(async () => {
  await scene.cleanup();
});

/** Tools that answer at once, and the names the role hides (they must look unknown). */
const TOOLS = ["good_echo", "good_add", "good_fail", "good_pid", "good_slow", "gateway_status"];
const HIDDEN = ["secret_echo", "_secret_connect"];

/**
 * Object.prototype keys as method names ("constructor", "toString") are in the fuzz: they once
 * found members of the router's handler table, and "constructor" crashed the gateway when
 * cancelled (FUZZ_PROTO_KEYS=0 leaves them out).
 */
const PROTO_KEYS_FIXED = process.env.FUZZ_PROTO_KEYS !== "0";

function cases(seed: number, n: number, batches: boolean): FuzzCase[] {
  const gen = new FuzzGen(seed, {
    tools: TOOLS,
    hidden: HIDDEN,
    batches,
    protoKeys: PROTO_KEYS_FIXED,
  });
  return Array.from({ length: n }, () => gen.case());
}

/** No id answered more or less often than allowed. */
function expectNoViolations(all: FuzzCase[], count: (id: Id) => number): void {
  const bad = violations(limits(all), count);
  expect({ seed: SEED, violations: bad.slice(0, 20), total: bad.length }).toEqual({
    seed: SEED,
    violations: [],
    total: 0,
  });
}

/**
 * The RSS the gateway settles at: the lowest of 2 s of samples. One reading swings by a fifth
 * with the collector's timing (80–100 MB measured here for the same load); a leak stays up.
 */
async function settledRss(pid: number): Promise<number> {
  let low = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 20; i++) {
    low = Math.min(low, rssKb(pid) ?? low);
    await Bun.sleep(100);
  }
  return low;
}

/**
 * RSS back under 1.2x the baseline; it drops only when the collector runs and the allocator hands
 * pages back, which after a burst can take several seconds (readings of 96–187 MB were seen for
 * one gateway between rounds of the same fuzz), so allow it 15 s: a leak stays up however long.
 */
async function expectRssBounded(pid: number, baseline: number, label: string): Promise<void> {
  const limit = baseline * 1.2;
  const rss = await waitFor(
    () => {
      const now = rssKb(pid) ?? Number.POSITIVE_INFINITY;
      return now <= limit ? now : false;
    },
    { timeout: 15_000, interval: 250, message: `RSS under ${limit} kB` },
  ).catch(() => rssKb(pid) ?? 0);
  console.log(`fuzz ${label}: RSS ${baseline} kB after warm-up, ${rss} kB after ${COUNT} messages`);
  expect({ seed: SEED, label, rss, limit }).toEqual({
    seed: SEED,
    label,
    rss: Math.min(rss, limit),
    limit,
  });
}

/** Sends the cases on stdio, then waits (bounded) until every id that must be answered is. */
async function blastStdio(gw: RawClient, list: FuzzCase[], timeout: number): Promise<void> {
  for (const c of list) gw.writeLine(c.body);
  const must = [...limits(list)].filter(([, l]) => l.min > 0).map(([id]) => id);
  await gw
    .until(() => must.every((id) => gw.answers.has(id)), "every request answered", timeout)
    .catch(() => {});
  // Anything answered twice has had the time of one more round trip to show.
  expect((await gw.request("ping")).error).toBeUndefined();
}

/** Header damage for a few HTTP posts: the request is refused, so its ids may go unanswered. */
const DAMAGE: Record<string, string | undefined>[] = [
  { "mcp-session-id": undefined },
  { "mcp-session-id": "not-a-session" },
  { "content-type": "text/plain" },
  { accept: "application/json" },
  { "mcp-protocol-version": "1999-01-01" },
  { "content-type": undefined },
];

/**
 * Posts the cases, 16 at a time; a post whose stream stays open (a cancelled request) is cut at
 * 3 s. A post the front refuses outright (HTTP 4xx) must say why in a JSON-RPC error, and then
 * its requests go unanswered: the returned cases carry that relaxed expectation.
 */
async function blastHttp(c: HttpClient, list: FuzzCase[], seed: number): Promise<FuzzCase[]> {
  const rnd = mulberry32(seed ^ 0x5eed);
  const headers = list.map(() =>
    rnd() < 0.05 ? (DAMAGE[Math.floor(rnd() * DAMAGE.length)] ?? {}) : {},
  );
  const sent: FuzzCase[] = [...list];
  const statuses = new Map<number, number>();
  const unexplained: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < list.length; i = next++) {
      const k = list[i];
      if (!k) continue;
      const reply = await c.post(k.body, { headers: headers[i], timeout: 3000 });
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      if (reply.status < 400) continue;
      sent[i] = { ...k, ids: k.ids.map((x) => ({ ...x, expect: "at-most-once" as const })) };
      const [m, ...more] = reply.messages;
      if (typeof m?.error?.code !== "number" || more.length > 0)
        unexplained.push(`${k.kind}: HTTP ${reply.status} ${reply.text.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  console.log(`fuzz HTTP statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
  expect({ seed: SEED, unexplained: unexplained.slice(0, 10) }).toEqual({
    seed: SEED,
    unexplained: [],
  });
  expect((await c.request("ping")).error).toBeUndefined();
  return sent;
}

describe("fuzz", () => {
  test(`stdio: ${COUNT} adversarial messages (seed ${SEED})`, async () => {
    // 2025-03-26: JSON arrays are batches the session answers, so batches are fuzzed too.
    const gw = await scene.gateway({ version: "2025-03-26", args: ["--role", "fuzz"] });
    expect(textOf(await gw.call("_good_connect"))).toContain("good_echo");
    const warm = cases(SEED + 1, WARMUP, true);
    await blastStdio(gw, warm, 30_000);
    const baseline = await settledRss(gw.pid);
    const run = cases(SEED, COUNT, true);
    await blastStdio(gw, run, 60_000);

    expectNoViolations([...warm, ...run], (id) => gw.answers.get(id)?.length ?? 0);
    expect(gw.junk).toEqual([]);
    expect(textOf(await gw.call("good_echo", { text: "after the fuzz" }))).toBe("after the fuzz");
    await expectRssBounded(gw.pid, baseline, "stdio");
    const { code, left } = await scene.shutdown(gw);
    expect({ code, left }).toEqual({ code: 0, left: [] });
  }, 120_000);

  test(`HTTP: ${COUNT} adversarial posts (seed ${SEED})`, async () => {
    const { proc, url } = await scene.serve({ args: ["--role", "fuzz"] });
    const c = new HttpClient(url);
    await c.initialize();
    expect(textOf(await c.call("_good_connect"))).toContain("good_echo");
    // Batches are answered or refused depending on the version (see http-input.test.ts): either
    // way each of their requests is answered at most once.
    const warm = await blastHttp(c, cases(SEED + 3, WARMUP, false), SEED + 3);
    const baseline = await settledRss(proc.pid);
    const run = await blastHttp(c, cases(SEED + 2, COUNT, false), SEED + 2);

    expectNoViolations([...warm, ...run], (id) => c.answers.get(id)?.length ?? 0);
    expect(textOf(await c.call("good_echo", { text: "after the fuzz" }))).toBe("after the fuzz");
    await expectRssBounded(proc.pid, baseline, "HTTP");
    const { code, left } = await scene.shutdown(proc, 10_000, "SIGTERM");
    expect({ code, left }).toEqual({ code: 0, left: [] });
  }, 120_000);
});
