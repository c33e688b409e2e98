// The tool search index: MiniSearch (BM25) per field, queried one concept of the query at a time.
import MiniSearch, { type BM25Params } from "minisearch";
import { type SearchDoc, type ToolEntry, toDoc } from "./doc.ts";
import {
  type Concept,
  concepts,
  extensions,
  type Lexicon,
  type Synonyms,
  WEIGHT,
} from "./expand.ts";
import { queryWords, term, words } from "./text.ts";

export interface Hit {
  name: string;
  score: number;
}

/**
 * Field weights. The name says what a tool does in the fewest words, so a word there counts most;
 * a parameter's words say what it works on, weaker; the server name says which product.
 */
export const BOOST: Record<keyof Omit<SearchDoc, "id">, number> = {
  name: 3,
  title: 2,
  summary: 2,
  description: 1,
  params: 0.5,
  server: 2,
};

/**
 * Plain BM25 (no BM25+ floor: a long description must not collect a bonus for every weak word it
 * holds), with stronger length normalisation than the default, for the same reason.
 */
const BM25: BM25Params = { k: 1.2, b: 0.85, d: 0 };

const FIELDS = Object.keys(BOOST) as (keyof typeof BOOST)[];

/** The ranking's knobs; the defaults are the tuned ones (scripts/search/dev.ts tries others). */
export interface RankOptions {
  boost: Record<keyof typeof BOOST, number>;
  bm25: BM25Params;
  /** Weight of a vocabulary term that a query word (3+ letters) begins: "repo" → repository. */
  prefix: number;
  related: { synonyms: number; hypernyms: number; related: number };
  relatedFields: string[];
  /** Exponent of the share of the query's concepts a tool matches (0: plain sum). */
  coord: number;
  /** Factor for the tools of a server the query names. */
  serverMention: number;
}

export const DEFAULTS: RankOptions = {
  boost: BOOST,
  bm25: BM25,
  prefix: 0.5,
  related: WEIGHT,
  relatedFields: ["name", "title"],
  coord: 1,
  serverMention: 2,
};

export class ToolIndex {
  private readonly mini: MiniSearch<SearchDoc>;
  /** Every term in the index: a query word's related words that no tool uses are not looked up. */
  private readonly vocabulary = new Set<string>();
  private readonly lexicon: Lexicon = {
    has: (t) => this.vocabulary.has(t),
    extending: (t) => {
      this.sorted ??= [...this.vocabulary].sort();
      return extensions(this.sorted, t);
    },
  };
  private sorted?: string[];
  readonly size: number;

  constructor(
    tools: readonly ToolEntry[],
    private readonly synonyms?: Synonyms,
    private readonly opts: RankOptions = DEFAULTS,
  ) {
    this.mini = new MiniSearch<SearchDoc>({
      fields: FIELDS,
      storeFields: [],
      tokenize: (text) => words(text),
      processTerm: (w) => {
        const t = term(w);
        if (t !== undefined) this.vocabulary.add(t);
        return t;
      },
    });
    const seen = new Set<string>();
    const docs: SearchDoc[] = [];
    for (const t of tools)
      if (!seen.has(t.name)) {
        seen.add(t.name);
        docs.push(toDoc(t));
      }
    this.mini.addAll(docs);
    this.size = docs.length;
  }

  /** One term's BM25 score per tool, over `fields`. */
  private scores(
    t: string,
    fields: readonly string[],
    visible?: (name: string) => boolean,
  ): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.mini.search(t, {
      fields: fields as string[],
      boost: this.opts.boost,
      bm25: this.opts.bm25,
      tokenize: (s) => [s],
      processTerm: (s) => s,
      filter: visible ? (r) => visible(r.id as string) : undefined,
    }))
      out.set(r.id as string, r.score);
    return out;
  }

  /**
   * Tools of a server the query names by one of its own words ("… in puppeteer", "slack"): the
   * request says where to look, so those tools go ahead of equally good matches elsewhere.
   */
  private namedServers(
    groups: readonly Concept[],
    cache: Map<string, Map<string, number>>,
    visible?: (name: string) => boolean,
  ): Set<string> {
    const out = new Set<string>();
    if (this.opts.serverMention === 1) return out;
    for (const g of groups)
      for (const t of g.own) {
        const key = `@${t}`;
        let s = cache.get(key);
        if (!s) {
          s = this.scores(t, ["server"], visible);
          cache.set(key, s);
        }
        for (const id of s.keys()) out.add(id);
      }
    return out;
  }

  /**
   * The best `limit` tools for a query in any words, best first, and how many matched at all;
   * `visible` filters by name.
   * Each concept of the query (a word, with the words WordNet relates to it) adds the score of
   * its best-matching term: a concept counts once however many of its related words a long
   * description happens to hold.
   */
  search(
    query: string,
    limit: number,
    visible?: (name: string) => boolean,
  ): { hits: Hit[]; total: number } {
    const groups: Concept[] = concepts(queryWords(query), this.synonyms, this.lexicon, this.opts);
    const total = new Map<string, number>();
    const matched = new Map<string, number>();
    const cache = new Map<string, Map<string, number>>();
    for (const g of groups) {
      const best = new Map<string, number>();
      for (const [t, weight] of g.terms) {
        // The query's own words count in every field; words it only implies (related, longer)
        // only in the name and title, where a match means what the tool does, not a side remark.
        const own = g.own.has(t);
        const fields = own ? FIELDS : this.opts.relatedFields;
        const key = `${own ? "" : "~"}${t}`;
        let s = cache.get(key);
        if (!s) {
          s = this.scores(t, fields, visible);
          cache.set(key, s);
        }
        for (const [id, score] of s)
          if ((best.get(id) ?? 0) < score * weight) best.set(id, score * weight);
      }
      for (const [id, score] of best) {
        total.set(id, (total.get(id) ?? 0) + score);
        matched.set(id, (matched.get(id) ?? 0) + 1);
      }
    }
    // Coordination: a tool that matches more of the query's ideas beats one that matches one idea
    // strongly (a long description repeating one word).
    const n = groups.length;
    const named = this.namedServers(groups, cache, visible);
    for (const [id, score] of total)
      total.set(
        id,
        score *
          ((matched.get(id) ?? 0) / n) ** this.opts.coord *
          (named.has(id) ? this.opts.serverMention : 1),
      );
    const hits = [...total]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([name, score]) => ({ name, score }));
    return { hits, total: total.size };
  }
}
