// Recall@1 and @5 of ranked answers against labelled queries, overall and per kind of query.
import type { Query } from "./data.ts";

export interface Recall {
  n: number;
  at1: number;
  at5: number;
}

export interface RecallReport extends Recall {
  kinds: Record<string, Recall>;
  misses: { query: Query; got: string[] }[];
}

/** A query is found at k when one of its gold tools is among the first k answers. */
export function recall(
  queries: readonly Query[],
  answers: ReadonlyMap<string, string[]>,
): RecallReport {
  const kinds: Record<string, Recall> = {};
  const total: Recall = { n: 0, at1: 0, at5: 0 };
  const misses: RecallReport["misses"] = [];
  for (const q of queries) {
    const got = answers.get(q.id) ?? [];
    const rank = got.findIndex((name) => q.gold.includes(name));
    const k = kinds[q.kind] ?? { n: 0, at1: 0, at5: 0 };
    kinds[q.kind] = k;
    for (const r of [k, total]) {
      r.n++;
      if (rank === 0) r.at1++;
      if (rank >= 0 && rank < 5) r.at5++;
    }
    if (rank !== 0) misses.push({ query: q, got: got.slice(0, 5) });
  }
  return { ...total, kinds, misses };
}

const pct = (x: number, n: number) => (n ? `${((100 * x) / n).toFixed(1)}%` : "–");

export function formatRecall(label: string, r: RecallReport): string {
  const rows = [
    `${label}: ${r.n} queries · recall@1 ${pct(r.at1, r.n)} · recall@5 ${pct(r.at5, r.n)}`,
  ];
  for (const [kind, k] of Object.entries(r.kinds).sort())
    rows.push(
      `  ${kind.padEnd(11)} ${String(k.n).padStart(3)}  @1 ${pct(k.at1, k.n).padStart(6)}  @5 ${pct(k.at5, k.n).padStart(6)}`,
    );
  return rows.join("\n");
}
