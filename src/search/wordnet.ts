// WordNet's related words, read on first use from the table bundled with the gateway.
import { readFileSync } from "node:fs";
import table from "./data/wordnet.txt.gz" with { type: "file" };
import type { Related, Synonyms } from "./expand.ts";

const TAB = 9;
const NL = 10;
const split = (col: string | undefined): string[] => (col ? col.split(" ") : []);

/**
 * The table kept as its bytes (one ASCII line per lemma, sorted) and where each line starts: about
 * 2 MB. As one JS string (two bytes a character, since its header is not ASCII) and a Map of its
 * 20,000 lemmas it held 8 MB of heap, and everything a search allocates scales with that. A
 * lookup is a binary search over the lines and parses one line.
 */
class WordNetTable implements Synonyms {
  private readonly starts: Uint32Array;
  private readonly key = new Uint8Array(64);
  private readonly decoder = new TextDecoder();
  private readonly encoder = new TextEncoder();

  constructor(private readonly bytes: Uint8Array) {
    let n = 0;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === NL) n++;
    const starts = new Uint32Array(n);
    let count = 0;
    // The first line says where the table comes from: not a lemma.
    for (let i = bytes.indexOf(NL) + 1; i > 0 && i < bytes.length; i = bytes.indexOf(NL, i) + 1)
      starts[count++] = i;
    this.starts = starts.subarray(0, count);
  }

  /** <0, 0, >0 as line `at`'s lemma sorts before, equal to, after the key's first `len` bytes. */
  private compare(at: number, len: number): number {
    const { bytes, key } = this;
    for (let i = 0; ; i++) {
      const b = bytes[at + i] as number;
      const lineEnded = b === TAB;
      if (i === len) return lineEnded ? 0 : 1;
      if (lineEnded) return -1;
      if (b !== key[i]) return b - (key[i] as number);
    }
  }

  get(lemma: string): Related | undefined {
    const { read, written } = this.encoder.encodeInto(lemma, this.key);
    if (read < lemma.length) return undefined; // longer than any lemma
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.starts[mid] as number;
      const c = this.compare(at, written);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid - 1;
      else {
        const end = this.bytes.indexOf(NL, at);
        const line = this.decoder.decode(this.bytes.subarray(at + written + 1, end));
        const [synonyms, hypernyms, related] = line.split("\t");
        return { synonyms: split(synonyms), hypernyms: split(hypernyms), related: split(related) };
      }
    }
    return undefined;
  }
}

let loaded: Synonyms | undefined;

/** A table written by scripts/wordnet-table.ts, gzipped. */
export const readWordNet = (gz: Uint8Array<ArrayBuffer>): Synonyms =>
  new WordNetTable(Bun.gunzipSync(gz));

/** The bundled WordNet table (embedded in the compiled binary; no download). */
export function wordnet(): Synonyms {
  loaded ??= readWordNet(readFileSync(table));
  return loaded;
}
