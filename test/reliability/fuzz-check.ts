// What the fuzz checks against: how many answers each id may get, over all the cases sent.
import type { FuzzCase } from "./fuzz-gen.ts";

export interface Limit {
  min: number;
  max: number;
  kind: string;
}

/** How many answers each id may get, over all cases (a later cancel or reuse relaxes it). */
export function limits(cases: FuzzCase[]): Map<string | number, Limit> {
  const out = new Map<string | number, Limit>();
  for (const c of cases)
    for (const { id, expect } of c.ids) {
      const prev = out.get(id);
      const [min, max] = expect === "once" ? [1, 1] : expect === "at-most-once" ? [0, 1] : [0, 2];
      if (!prev) out.set(id, { min, max, kind: c.kind });
      else
        out.set(id, {
          min: Math.min(prev.min, min),
          max: Math.max(prev.max, max, prev.max + (expect === "at-most-twice" ? 1 : 0)),
          kind: prev.kind,
        });
    }
  return out;
}

/** The ids answered a number of times outside their limits, said for a failure message. */
export function violations(
  all: Map<string | number, Limit>,
  answers: (id: string | number) => number,
): string[] {
  const out: string[] = [];
  for (const [id, { min, max, kind }] of all) {
    const n = answers(id);
    if (n < min || n > max)
      out.push(`${kind} id ${JSON.stringify(id)}: ${n} answers, expected ${min}..${max}`);
  }
  return out;
}
