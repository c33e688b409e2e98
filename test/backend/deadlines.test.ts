import { describe, expect, test } from "bun:test";
import { Deadlines } from "../../src/backend/deadlines.ts";

/** A table of named deadlines swept by one Deadlines timer, recording when each one ended. */
function table() {
  const due = new Map<string, number>();
  const ended: string[] = [];
  const d = new Deadlines((now) => {
    let next = Number.POSITIVE_INFINITY;
    for (const [k, at] of due) {
      if (at <= now) {
        due.delete(k);
        ended.push(k);
      } else next = Math.min(next, at);
    }
    return next;
  });
  const add = (k: string, ms: number) => {
    due.set(k, Date.now() + ms);
    d.arm(Date.now() + ms);
  };
  return { add, ended, due };
}

async function until(cond: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await Bun.sleep(5);
}

describe("Deadlines: one timer, many call_timeouts", () => {
  test("each deadline ends in order, a later-armed earlier deadline included", async () => {
    const t = table();
    t.add("slow", 400);
    t.add("fast", 30); // armed after, due first: the timer moves earlier
    t.add("mid", 150);
    await until(() => t.ended.length === 3);
    expect(t.ended).toEqual(["fast", "mid", "slow"]);
  });

  test("nothing ends before its deadline", async () => {
    const t = table();
    const start = Date.now();
    t.add("a", 120);
    await until(() => t.ended.length === 1);
    expect(t.ended).toEqual(["a"]);
    expect(Date.now() - start).toBeGreaterThanOrEqual(119);
  });

  test("an entry removed before its deadline is never ended; the timer finds nothing and stops", async () => {
    const t = table();
    t.add("answered", 40);
    t.due.delete("answered");
    t.add("late", 120);
    await until(() => t.ended.length === 1);
    expect(t.ended).toEqual(["late"]);
  });
});
