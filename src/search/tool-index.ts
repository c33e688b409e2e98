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
import { PostingsCache } from "./postings.ts";
import { queryShapes } from "./shapes.ts";
import { queryWords, term, words } from "./text.ts";
import { fuse, type Hit, insert, type Semantic } from "./top.ts";

export type { Hit, Semantic } from "./top.ts";

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
  /** Weight of the parameter words a quoted value's kind implies (a path → path, file). */
  shape: number;
  shapeFields: string[];
}

export const DEFAULTS: RankOptions = {
  boost: BOOST,
  bm25: BM25,
  prefix: 0.5,
  related: WEIGHT,
  relatedFields: ["name", "title"],
  coord: 1,
  serverMention: 2,
  shape: 0.5,
  shapeFields: ["params", "name"],
};

/** Per-query sums, one slot per tool, kept between queries (a search allocates almost nothing). */
class Scratch {
  readonly best: Float64Array;
  readonly total: Float64Array;
  readonly matched: Uint16Array;
  /** Tools touched by the current concept, then by the whole query. */
  readonly conceptHits: Int32Array;
  readonly queryHits: Int32Array;
  /** Each tool's final lexical score, for fusion with semantic ones. */
  readonly lexical: Float64Array;
  /** 1 for the tools of a server the query names. */
  readonly named: Uint8Array;
  constructor(n: number) {
    this.named = new Uint8Array(n);
    this.lexical = new Float64Array(n);
    this.best = new Float64Array(n);
    this.total = new Float64Array(n);
    this.matched = new Uint16Array(n);
    this.conceptHits = new Int32Array(n);
    this.queryHits = new Int32Array(n);
  }
}

const ALL_KEY = "*";
const SERVER_KEY = "@";

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
  /** Tool names by number: the accumulators, the postings and semantic scores speak numbers. */
  readonly names: string[] = [];
  private readonly postings: PostingsCache;
  private readonly scratch: Scratch;
  private readonly relatedKey: string;
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
    const numbers = new Map<string, number>();
    const docs: SearchDoc[] = [];
    for (const t of tools)
      if (!numbers.has(t.name)) {
        numbers.set(t.name, this.names.length);
        this.names.push(t.name);
        docs.push(toDoc(t));
      }
    this.mini.addAll(docs);
    this.size = docs.length;
    this.postings = new PostingsCache(this.mini, numbers, this.vocabulary, opts.boost, opts.bm25);
    this.scratch = new Scratch(this.size);
    this.relatedKey = opts.relatedFields.join(",");
  }

  /**
   * Tools of a server the query names by one of its own words ("… in puppeteer", "slack"): the
   * request says where to look, so those tools go ahead of equally good matches elsewhere.
   * Marked in `named` (1 = named).
   */
  private namedServers(groups: readonly Concept[], named: Uint8Array): void {
    named.fill(0);
    if (this.opts.serverMention === 1) return;
    for (const g of groups)
      for (const t of g.own) {
        const { docs } = this.postings.get(t, ["server"], SERVER_KEY);
        for (let i = 0; i < docs.length; i++) named[docs[i] as number] = 1;
      }
  }

  /**
   * The best `limit` tools for a query in any words, best first, and how many matched at all;
   * `visible` filters by name.
   * Each concept of the query (a word, with the words WordNet relates to it) adds the score of
   * its best-matching term: a concept counts once however many of its related words a long
   * description happens to hold. With `semantic` (an embedding model's similarities), the
   * lexical scores are fused with them (top.ts).
   */
  search(
    query: string,
    limit: number,
    visible?: (name: string) => boolean,
    semantic?: Semantic,
  ): { hits: Hit[]; total: number } {
    const groups = this.concepts(query);
    const { best, total, matched, conceptHits, queryHits, named, lexical } = this.scratch;
    let queryCount = 0;
    for (const g of groups) {
      let conceptCount = 0;
      for (const [t, weight] of g.terms) {
        // The query's own words count in every field; words it only implies (related, longer)
        // only in the name and title, where a match means what the tool does, not a side remark.
        const own = g.own.has(t);
        const { docs, scores } = g.fields
          ? this.postings.get(t, g.fields, g.fields.join(","))
          : own
            ? this.postings.get(t, FIELDS, ALL_KEY)
            : this.postings.get(t, this.opts.relatedFields, this.relatedKey);
        for (let i = 0; i < docs.length; i++) {
          const d = docs[i] as number;
          const v = (scores[i] as number) * weight;
          if (v > (best[d] as number)) {
            if (best[d] === 0) conceptHits[conceptCount++] = d;
            best[d] = v;
          }
        }
      }
      for (let i = 0; i < conceptCount; i++) {
        const d = conceptHits[i] as number;
        if (matched[d] === 0) queryHits[queryCount++] = d;
        total[d] = (total[d] as number) + (best[d] as number);
        matched[d] = (matched[d] as number) + 1;
        best[d] = 0;
      }
    }
    // Coordination: a tool that matches more of the query's ideas beats one that matches one idea
    // strongly (a long description repeating one word).
    const n = groups.length;
    this.namedServers(groups, named);
    for (let i = 0; i < queryCount; i++) {
      const d = queryHits[i] as number;
      lexical[d] =
        (total[d] as number) *
        ((matched[d] as number) / n) ** this.opts.coord *
        (named[d] ? this.opts.serverMention : 1);
      total[d] = 0;
      matched[d] = 0;
    }
    let out: { hits: Hit[]; total: number };
    if (semantic && semantic.weight > 0) out = fuse(this.names, lexical, semantic, visible, limit);
    else {
      out = { hits: [], total: 0 };
      for (let i = 0; i < queryCount; i++) {
        const d = queryHits[i] as number;
        const name = this.names[d] as string;
        if (visible && !visible(name)) continue;
        out.total++;
        insert(out.hits, { name, score: lexical[d] as number }, limit);
      }
    }
    for (let i = 0; i < queryCount; i++) lexical[queryHits[i] as number] = 0;
    return out;
  }

  /** The query's concepts: its words (expand.ts), and the kinds of value it quotes (shapes.ts). */
  private concepts(query: string): Concept[] {
    const groups = concepts(queryWords(query), this.synonyms, this.lexicon, this.opts);
    if (this.opts.shape > 0)
      for (const words of queryShapes(query)) {
        const c: Concept = { terms: new Map(), own: new Set(), fields: this.opts.shapeFields };
        for (const w of words) {
          const t = term(w);
          if (t !== undefined) c.terms.set(t, this.opts.shape);
        }
        groups.push(c);
      }
    return groups;
  }
}
