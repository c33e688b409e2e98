// The best `limit` tools of a search, from lexical scores alone or fused with semantic ones.

export interface Hit {
  name: string;
  score: number;
}

/** Semantic scores of every tool (by its number in the index) and their share of the fusion. */
export interface Semantic {
  similarity: Float64Array;
  /** 0: lexical only; 1: semantic only. */
  weight: number;
}

/** Keeps `top` the best `limit` hits, best first (ties: by name). */
export function insert(top: Hit[], h: Hit, limit: number): void {
  if (limit <= 0) return;
  let at = top.length;
  while (at > 0 && before(h, top[at - 1] as Hit)) at--;
  if (at >= limit) return;
  top.splice(at, 0, h);
  if (top.length > limit) top.pop();
}

const before = (a: Hit, b: Hit): boolean =>
  a.score > b.score || (a.score === b.score && a.name < b.name);

/**
 * Convex fusion of min-max normalised scores, over the visible tools: lexical / its best, and
 * (similarity - lowest) / (highest - lowest). Both then run 0..1, so `weight` means what it says
 * whatever the scale of BM25 or of the model's cosines; a tool no word matched can still come
 * first on meaning alone, and one that matches the words and the meaning beats either.
 */
export function fuse(
  names: readonly string[],
  lexical: Float64Array,
  semantic: Semantic,
  visible: ((name: string) => boolean) | undefined,
  limit: number,
): { hits: Hit[]; total: number } {
  let best = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  const { similarity, weight } = semantic;
  for (let d = 0; d < names.length; d++) {
    if (visible && !visible(names[d] as string)) continue;
    best = Math.max(best, lexical[d] as number);
    lo = Math.min(lo, similarity[d] as number);
    hi = Math.max(hi, similarity[d] as number);
  }
  const span = hi - lo;
  const top: Hit[] = [];
  let total = 0;
  for (let d = 0; d < names.length; d++) {
    const name = names[d] as string;
    if (visible && !visible(name)) continue;
    const lex = best > 0 ? (lexical[d] as number) / best : 0;
    const sem = span > 0 ? ((similarity[d] as number) - lo) / span : 0;
    const score = (1 - weight) * lex + weight * sem;
    if (score <= 0) continue;
    total++;
    insert(top, { name, score }, limit);
  }
  return { hits: top, total };
}
