// One term's BM25 scores per tool, asked of MiniSearch once per index and kept in typed arrays.
import type MiniSearch from "minisearch";
import type { BM25Params } from "minisearch";

/** Which tools (by their number in the index) a term scores, and how much. */
export interface Postings {
  docs: Int32Array;
  scores: Float64Array;
}

const NONE: Postings = { docs: new Int32Array(0), scores: new Float64Array(0) };

/**
 * A search asks the same few thousand (term, fields) pairs again and again, and MiniSearch
 * answers each with a fresh array of result objects (one per tool, with its match details): tens
 * of thousands of short-lived objects a query, which is what raised the gateway's RSS by about
 * 60 MB over a few hundred searches. Each pair is asked once here, and its scores kept as two
 * typed arrays for the life of the index (one catalog version and role). Only terms of the
 * index's own vocabulary are kept, so the cache is bounded by the catalog, whatever is asked.
 */
export class PostingsCache {
  private readonly cache = new Map<string, Postings>();

  constructor(
    private readonly mini: MiniSearch,
    /** Tool name → its number in the index. */
    private readonly numbers: ReadonlyMap<string, number>,
    private readonly vocabulary: ReadonlySet<string>,
    private readonly boost: Record<string, number>,
    private readonly bm25: BM25Params,
  ) {}

  /** BM25 scores of term `t` over `fields` (their names joined by "," are part of the key). */
  get(t: string, fields: readonly string[], key: string): Postings {
    if (!this.vocabulary.has(t)) return NONE;
    const k = `${key}\u0000${t}`;
    let p = this.cache.get(k);
    if (!p) {
      const results = this.mini.search(t, {
        fields: fields as string[],
        boost: this.boost,
        bm25: this.bm25,
        tokenize: (s) => [s],
        processTerm: (s) => s,
      });
      p = { docs: new Int32Array(results.length), scores: new Float64Array(results.length) };
      for (let i = 0; i < results.length; i++) {
        const r = results[i] as { id: string; score: number };
        p.docs[i] = this.numbers.get(r.id) ?? -1;
        p.scores[i] = r.score;
      }
      this.cache.set(k, p);
    }
    return p;
  }

  get size(): number {
    return this.cache.size;
  }
}
