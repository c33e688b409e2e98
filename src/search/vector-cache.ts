// Tool embeddings on disk beside the schema cache: one file per endpoint and model, each vector
// under a hash of the text it embeds, so a catalog change embeds only the tools that changed.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface CacheFile {
  version: 1;
  model: string;
  /** Text hash → the vector's float32 bytes, base64. */
  vectors: Record<string, string>;
}

/** Entries kept in a file: the tools of a few catalogs; beyond it, only the current ones stay. */
const MAX_ENTRIES = 4096;

export const textKey = (text: string): string =>
  createHash("sha256").update(text).digest("base64url").slice(0, 22);

export class VectorCache {
  readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly model: string,
    endpoint: string,
  ) {
    const id = createHash("sha256").update(`${endpoint}\n${model}`).digest("hex").slice(0, 16);
    this.file = join(dir, `embeddings-${id}.json`);
  }

  /** What the file holds; a missing or unreadable file is an empty cache. */
  load(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    let parsed: CacheFile;
    try {
      parsed = JSON.parse(readFileSync(this.file, "utf8")) as CacheFile;
    } catch {
      return out;
    }
    if (parsed?.version !== 1 || parsed.model !== this.model || typeof parsed.vectors !== "object")
      return out;
    for (const [k, b64] of Object.entries(parsed.vectors)) {
      if (typeof b64 !== "string") continue;
      const bytes = Buffer.from(b64, "base64");
      if (bytes.length % 4 !== 0 || bytes.length === 0) continue;
      out.set(
        k,
        new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)),
      );
    }
    return out;
  }

  /** Writes `entries` (the file's old ones first, then `now`'s), written whole then renamed. */
  save(old: ReadonlyMap<string, Float32Array>, now: ReadonlyMap<string, Float32Array>): void {
    const all = old.size + now.size > MAX_ENTRIES ? new Map(now) : new Map([...old, ...now]);
    const vectors: Record<string, string> = {};
    for (const [k, v] of all)
      vectors[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
    const body: CacheFile = { version: 1, model: this.model, vectors };
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(body));
    renameSync(tmp, this.file);
  }
}
