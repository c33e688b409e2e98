// An OpenAI-compatible embeddings endpoint (POST <url>/embeddings): texts in, unit vectors out.

export interface EmbeddingsOptions {
  /** The API's base URL (`http://127.0.0.1:11434/v1`), or the full `…/embeddings` URL. */
  url: string;
  model: string;
  apiKey?: string;
  /** Bound on one request, ms. */
  timeoutMs?: number;
}

/** Texts per request: large enough to embed a catalog in a few requests, small for any server. */
const BATCH = 64;
const TIMEOUT_MS = 30_000;

export class EmbeddingsClient {
  readonly endpoint: string;

  constructor(
    private readonly opts: EmbeddingsOptions,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    const base = opts.url.replace(/\/+$/, "");
    this.endpoint = base.endsWith("/embeddings") ? base : `${base}/embeddings`;
  }

  /** One vector per text, in order, each scaled to length 1 (a dot product is then the cosine). */
  async embed(texts: readonly string[], timeoutMs = this.opts.timeoutMs): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += BATCH)
      out.push(...(await this.batch(texts.slice(i, i + BATCH), timeoutMs ?? TIMEOUT_MS)));
    return out;
  }

  private async batch(input: string[], timeoutMs: number): Promise<Float32Array[]> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    const res = await this.fetchImpl(this.endpoint, {
      method: "POST",
      headers,
      body: JSON.stringify({ model: this.opts.model, input }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The body of an error may echo the request; only the status is said (no key, no text).
    if (!res.ok) throw new Error(`embeddings endpoint ${this.endpoint} answered ${res.status}`);
    const body = (await res.json()) as { data?: { embedding?: unknown; index?: unknown }[] };
    const data = body.data;
    if (!Array.isArray(data) || data.length !== input.length)
      throw new Error(`embeddings endpoint ${this.endpoint}: expected ${input.length} embeddings`);
    const out: Float32Array[] = new Array(input.length);
    data.forEach((d, k) => {
      const at = typeof d.index === "number" ? d.index : k;
      if (!Array.isArray(d.embedding) || at < 0 || at >= input.length)
        throw new Error(`embeddings endpoint ${this.endpoint}: malformed embedding`);
      out[at] = unit(d.embedding as number[]);
    });
    const dims = out[0]?.length ?? 0;
    if (dims === 0 || out.some((v) => !v || v.length !== dims))
      throw new Error(`embeddings endpoint ${this.endpoint}: embeddings of unequal length`);
    return out;
  }
}

function unit(v: readonly number[]): Float32Array {
  const out = Float32Array.from(v);
  let n = 0;
  for (const x of out) n += x * x;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / n;
  return out;
}
