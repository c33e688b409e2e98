// A query's words into concepts: each word's own term, plus WordNet's related words, weaker.
import { isStopWord, type QueryWord, term } from "./text.ts";

/** What WordNet says of one word (or a two-word phrase joined by "_"): related words by kind. */
export interface Related {
  synonyms: readonly string[];
  /** More general words ("relocate" → "move"). */
  hypernyms: readonly string[];
  /** Other parts of speech and similar words ("erase" → "erasure"). */
  related: readonly string[];
}

export interface Synonyms {
  get(lemma: string): Related | undefined;
}

/**
 * How much a word found through each relation counts against the query's own word (1). Below
 * the query's own words, so a tool that matches what was typed stays ahead.
 */
export const WEIGHT: { synonyms: number; hypernyms: number; related: number } = {
  synonyms: 0.5,
  hypernyms: 0.3,
  related: 0.3,
};

/** The index's own terms: which exist, and which begin with a given one. */
export interface Lexicon {
  has(t: string): boolean;
  extending(t: string): string[];
}

/** Terms of a sorted list that begin with `head` and are longer. */
export function extensions(sorted: readonly string[], head: string): string[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as string) < head) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < sorted.length && (sorted[i] as string).startsWith(head); i++)
    if (sorted[i] !== head) out.push(sorted[i] as string);
  return out;
}

/** One idea of the query: index term → weight; `own` holds the terms the query itself says. */
export interface Concept {
  terms: Map<string, number>;
  own: Set<string>;
  /** Where its terms count, when not the usual fields (own words: all; related: name, title). */
  fields?: readonly string[];
}

const concept = (): Concept => ({ terms: new Map(), own: new Set() });

/** Index terms of a related lemma: "write_down" → write (its stop words dropped). */
const lemmaTerms = (lemma: string): string[] =>
  lemma
    .split("_")
    .map((w) => term(w))
    .filter((t): t is string => t !== undefined);

const put = (c: Concept, t: string, w: number) => {
  if ((c.terms.get(t) ?? 0) < w) c.terms.set(t, w);
};

/**
 * One concept per query word that is not a stop word, and one per two-word phrase WordNet knows
 * ("jot down", "kick off"); related words that `known` rejects (no tool uses them) are dropped.
 */
export function concepts(
  queryWords: readonly QueryWord[],
  synonyms: Synonyms | undefined,
  lexicon: Lexicon,
  weights: { prefix: number; related: typeof WEIGHT },
): Concept[] {
  const out: Concept[] = [];
  const seen = new Set<string>();
  const addRelated = (c: Concept, lemma: string, scale: number) => {
    const rel = synonyms?.get(lemma);
    if (!rel) return;
    for (const kind of ["synonyms", "hypernyms", "related"] as const)
      for (const r of rel[kind])
        for (const t of lemmaTerms(r)) if (lexicon.has(t)) put(c, t, scale * weights.related[kind]);
  };
  for (let i = 0; i < queryWords.length; i++) {
    const { word: w, weight } = queryWords[i] as QueryWord;
    const next = queryWords[i + 1]?.word;
    if (next !== undefined && synonyms?.get(`${w}_${next}`)) {
      const c = concept();
      addRelated(c, `${w}_${next}`, weight);
      if (c.terms.size > 0) out.push(c);
    }
    const t = term(w);
    if (t === undefined || isStopWord(w) || seen.has(t)) continue;
    seen.add(t);
    const c = concept();
    c.terms.set(t, weight);
    c.own.add(t);
    // A shortened word ("repo", "config", "env") finds the words it begins.
    if (w.length >= 3 && weights.prefix > 0)
      for (const longer of lexicon.extending(w)) put(c, longer, weight * weights.prefix);
    addRelated(c, w, weight);
    out.push(c);
  }
  return out;
}
