// Embeddings of the tools of one index (once per catalog version and role, through the disk
// cache) and the cosine of each with a query's.
import { type ToolEntry, toDoc } from "./doc.ts";
import type { EmbeddingsClient } from "./embeddings.ts";
import { words } from "./text.ts";
import { textKey, type VectorCache } from "./vector-cache.ts";

/** Long descriptions are cut: their head says what the tool does; the rest costs tokens. */
const MAX_TEXT = 1500;

/** What a tool's embedding is made of: its server, its name in words, title, description, parameters. */
export function toolText(t: ToolEntry): string {
  const d = toDoc(t);
  const head = [d.server && `[${d.server}]`, words(d.name).join(" "), d.title && `(${d.title})`]
    .filter(Boolean)
    .join(" ");
  const params = d.params ? ` Parameters: ${d.params}` : "";
  return `${head}: ${d.description}${params}`.slice(0, MAX_TEXT);
}

/** The tools' unit vectors, end to end, in the index's order of tools. */
export class ToolVectors {
  private constructor(
    private readonly flat: Float32Array,
    readonly dims: number,
  ) {}

  /** Embeds what the cache does not hold (and saves it there), in one pass. */
  static async build(
    texts: readonly string[],
    client: EmbeddingsClient,
    cache?: VectorCache,
  ): Promise<ToolVectors> {
    const old = cache?.load() ?? new Map<string, Float32Array>();
    const keys = texts.map(textKey);
    let vectors = keys.map((k) => old.get(k));
    const missing = keys.flatMap((_, i) => (vectors[i] ? [] : [i]));
    if (missing.length) {
      const fresh = await client.embed(missing.map((i) => texts[i] as string));
      missing.forEach((i, k) => {
        vectors[i] = fresh[k];
      });
    }
    let dims = vectors[0]?.length ?? 0;
    let changed = missing.length > 0;
    // Vectors of another length: the model behind that name changed; embed everything again.
    if (vectors.some((v) => v?.length !== dims)) {
      vectors = await client.embed(texts);
      dims = vectors[0]?.length ?? 0;
      old.clear();
      changed = true;
    }
    const flat = new Float32Array(texts.length * dims);
    for (const [i, v] of vectors.entries()) flat.set(v as Float32Array, i * dims);
    if (cache && changed)
      cache.save(old, new Map(keys.map((k, i) => [k, vectors[i] as Float32Array])));
    return new ToolVectors(flat, dims);
  }

  /** The cosine of each tool with `query` (a unit vector) into `out`. */
  similarities(query: Float32Array, out: Float64Array): void {
    if (query.length !== this.dims) throw new Error("query embedding of another length");
    const { flat, dims } = this;
    for (let t = 0, at = 0; t < out.length; t++, at += dims) {
      let s = 0;
      for (let i = 0; i < dims; i++) s += (flat[at + i] as number) * (query[i] as number);
      out[t] = s;
    }
  }
}
