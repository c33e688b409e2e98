// tool_search.embeddings: each index's tool embeddings (once per catalog version and role), the
// query's per search, and falling back to the lexical ranking whenever the endpoint cannot help.
import type { ToolSearchConfig } from "../config/schema.ts";
import { errorMessage } from "../errors.ts";
import { log } from "../log.ts";
import type { ToolEntry } from "../search/doc.ts";
import type { EmbeddingsClient } from "../search/embeddings.ts";
import type { ToolVectors } from "../search/semantic.ts";
import type { Semantic, ToolIndex } from "../search/tool-index.ts";

type EmbeddingsConfig = NonNullable<ToolSearchConfig["embeddings"]>;

/** A failed build of a catalog's embeddings is tried again after this long, not per search. */
const RETRY_MS = 60_000;
/** One warning a minute at most while the endpoint keeps failing. */
const WARN_EVERY_MS = 60_000;

interface Built {
  vectors?: ToolVectors;
  pending?: Promise<void>;
  failedAt?: number;
}

/** The embedding code, imported only by a gateway whose config has tool_search.embeddings. */
const code = () =>
  Promise.all([
    import("../search/embeddings.ts"),
    import("../search/semantic.ts"),
    import("../search/vector-cache.ts"),
  ]);

/** Waits for `p` at most `ms` (its timer cleared, so it never holds the process open). */
async function within(p: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([p, new Promise<void>((done) => (timer = setTimeout(done, ms)))]);
  clearTimeout(timer);
}

export class SemanticSearch {
  private client?: EmbeddingsClient;
  private readonly built = new WeakMap<ToolIndex, Built>();
  private warnedAt = 0;

  constructor(
    private readonly config: EmbeddingsConfig,
    /** The schema cache's folder, where tool embeddings are kept too. */
    private readonly cacheDir: () => string | undefined,
  ) {}

  /**
   * The similarity of each tool of `index` to `query`, or undefined when there is none to give
   * (the tools' embeddings not ready within the timeout, the endpoint failing): the search is
   * then lexical, never an error. `entries` gives the index's tools by name, for their texts.
   */
  async scores(
    index: ToolIndex,
    entry: (name: string) => ToolEntry,
    query: string,
  ): Promise<Semantic | undefined> {
    const [{ EmbeddingsClient }, semantic, { VectorCache }] = await code();
    this.client ??= new EmbeddingsClient({
      url: this.config.url,
      model: this.config.model,
      apiKey: this.config.api_key,
    });
    const client = this.client;
    const timeoutMs = this.config.timeout * 1000;
    let b = this.built.get(index);
    if (!b || (b.failedAt !== undefined && Date.now() - b.failedAt > RETRY_MS)) {
      const state: Built = {};
      b = state;
      this.built.set(index, state);
      const dir = this.cacheDir();
      const cache = dir ? new VectorCache(dir, this.config.model, client.endpoint) : undefined;
      const texts = index.names.map((n) => semantic.toolText(entry(n)));
      state.pending = semantic.ToolVectors.build(texts, client, cache).then(
        (v) => {
          state.vectors = v;
          state.pending = undefined;
        },
        (e) => {
          state.failedAt = Date.now();
          state.pending = undefined;
          this.warn(`could not embed the tools: ${errorMessage(e)}`);
        },
      );
    }
    // The first search after a change waits for the tools' embeddings up to the timeout; a
    // slower endpoint finishes in the background and the searches after it use them.
    if (b.pending) await within(b.pending, timeoutMs);
    const vectors = b.vectors;
    if (!vectors) return undefined;
    try {
      const [q] = await client.embed([query], timeoutMs);
      const similarity = new Float64Array(index.names.length);
      vectors.similarities(q as Float32Array, similarity);
      return { similarity, weight: this.config.weight };
    } catch (e) {
      this.warn(`could not embed a query: ${errorMessage(e)}`);
      return undefined;
    }
  }

  private warn(what: string): void {
    const now = Date.now();
    if (now - this.warnedAt < WARN_EVERY_MS) return;
    this.warnedAt = now;
    log.warn(`tool search embeddings (${this.config.model}): ${what}; ranking by words alone`);
  }
}
