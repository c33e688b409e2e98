// Issue 7, fuzz: 10,000 seeded malformed or adversarial messages on stdio, after a warm-up. The
// gateway must answer every request with a fresh id exactly once (reused or cancelled ids at most
// as often as they allow), still answer afterwards, and keep its RSS within 1.2x of the warm-up's.
// FUZZ_SEED picks another run; the seed is in every failure message.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { rssKb, waitFor } from "../helpers/proc.ts";
import { type FuzzCase, FuzzGen, limits, violations } from "./fuzz-gen.ts";
import type { RawClient } from "./raw.ts";
import { healthy, Scene, textOf } from "./scene.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_701);
const COUNT = 10_000;
const WARMUP = 3_000;

let scene: Scene;
beforeEach(() => {
  scene = new Scene();
});
afterEach(async () => {
  await scene.cleanup();
});

/** Tools that answer at once, and the names the role hides (they must look unknown). */
const TOOLS = ["good_echo", "good_add", "good_fail", "good_pid", "good_slow", "gateway_status"];
const HIDDEN = ["secret_echo", "_secret_connect"];

/**
 * BUG (reported): Object.prototype keys as method names ("constructor", "toString") find
 * members of the router's plain-object handler table; "constructor" even crashes the gateway
 * once cancelled. Left out of the fuzz until fixed (FUZZ_PROTO_KEYS=1 puts them back in);
 * client-input.test.ts has the targeted test.
 */
const PROTO_KEYS_FIXED = process.env.FUZZ_PROTO_KEYS === "1";

function cases(seed: number, n: number, batches: boolean): FuzzCase[] {
  const gen = new FuzzGen(seed, {
    tools: TOOLS,
    hidden: HIDDEN,
    batches,
    protoKeys: PROTO_KEYS_FIXED,
  });
  return Array.from({ length: n }, () => gen.case());
}

/** Sends the cases, then waits (bounded) until every id that must be answered is. */
async function blast(gw: RawClient, list: FuzzCase[], timeout: number): Promise<void> {
  for (const c of list) gw.writeLine(c.body);
  const must = [...limits(list)].filter(([, l]) => l.min > 0).map(([id]) => id);
  await gw
    .until(() => must.every((id) => gw.answers.has(id)), "every request answered", timeout)
    .catch(() => {});
  // Anything answered twice has had the time of one more round trip to show.
  expect((await gw.request("ping")).error).toBeUndefined();
}

const count = (gw: RawClient) => (id: string | number) => gw.answers.get(id)?.length ?? 0;

describe("fuzz", () => {
  test(`stdio: ${COUNT} adversarial messages (seed ${SEED})`, async () => {
    scene.writeConfig({
      call_timeout: 10,
      roles: { fuzz: ["good_*", "gateway_status"] },
      servers: { good: healthy(), secret: healthy() },
    });
    // 2025-03-26: JSON arrays are batches the session answers, so batches are fuzzed too.
    const gw = await scene.gateway({ version: "2025-03-26", args: ["--role", "fuzz"] });
    expect(textOf(await gw.call("_good_connect"))).toContain("good_echo");

    const warm = cases(SEED + 1, WARMUP, true);
    await blast(gw, warm, 30_000);
    const baseline = rssKb(gw.pid) ?? 0;

    const started = Date.now();
    const run = cases(SEED, COUNT, true);
    await blast(gw, run, 60_000);
    const took = Date.now() - started;

    const bad = violations(limits([...warm, ...run]), count(gw));
    expect({ seed: SEED, violations: bad.slice(0, 20), total: bad.length }).toEqual({
      seed: SEED,
      violations: [],
      total: 0,
    });
    expect(gw.junk).toEqual([]);
    expect(textOf(await gw.call("good_echo", { text: "after the fuzz" }))).toBe("after the fuzz");
    // RSS only drops when the collector runs: allow it a few seconds to come back under the bound.
    const limit = baseline * 1.2;
    const rss = await waitFor(
      () => {
        const now = rssKb(gw.pid) ?? Number.POSITIVE_INFINITY;
        return now <= limit ? now : false;
      },
      { timeout: 5000, interval: 250, message: `RSS under ${limit} kB` },
    ).catch(() => rssKb(gw.pid) ?? 0);
    expect({ seed: SEED, baseline, rss, ratio: Number((rss / baseline).toFixed(2)) }).toMatchObject(
      {
        seed: SEED,
      },
    );
    expect(rss).toBeLessThanOrEqual(limit);
    console.log(`fuzz stdio: ${COUNT} messages in ${took} ms; RSS ${baseline} -> ${rss} kB`);
    const { code, left } = await scene.shutdown(gw);
    expect({ code, left }).toEqual({ code: 0, left: [] });
  }, 120_000);
});
