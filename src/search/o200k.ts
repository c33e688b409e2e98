// o200k token counts from a compact rank table: token bytes in one buffer, a hash table in typed arrays.
import { readFileSync } from "node:fs";
import { O200K_TOKEN_SPLIT_REGEX } from "gpt-tokenizer/encodingParams/constants";
import tableFile from "./data/o200k.bin.gz" with { type: "file" };

/**
 * The rank table as gpt-tokenizer holds it (200,000 JS strings in a Map, plus the array they came
 * from) costs about 50 MB of heap; the same ranks here take 4.5 MB of typed arrays: the tokens'
 * bytes (1.6 MB), where each rank's bytes start (0.8 MB), and an open-addressing hash table of
 * ranks (2 MB). All three come ready-made from the data file (scripts/o200k-table.ts builds
 * them): loading is one gunzip and three views, no loop over 200,000 tokens, whose JIT
 * compilation alone raised RSS by about 7 MB. The counts are gpt-tokenizer's, token for token
 * (test/search/tokens.test.ts).
 */
export class RankTable {
  private readonly mask: number;

  /**
   * @param slots hash slot → rank + 1 (0: empty); its length a power of two, at most half full
   * @param starts where rank r's bytes start in `bytes`
   * @param bytes the tokens' bytes, each after a byte that holds its length
   */
  constructor(
    private readonly slots: Int32Array,
    private readonly starts: Uint32Array,
    private readonly bytes: Uint8Array,
  ) {
    this.mask = slots.length - 1;
  }

  /** The rank of `key[from, to)`, or -1 when those bytes are no token. */
  rank(key: Uint8Array, from: number, to: number): number {
    const len = to - from;
    const { slots, mask, starts, bytes } = this;
    for (let at = hash(key, from, to) & mask; ; at = (at + 1) & mask) {
      const r = (slots[at] as number) - 1;
      if (r < 0) return -1;
      const s = starts[r] as number;
      if (bytes[s - 1] !== len) continue;
      let i = 0;
      while (i < len && bytes[s + i] === key[from + i]) i++;
      if (i === len) return r;
    }
  }
}

/** FNV-1a over a byte range: the slot a token goes to (the data file is built with it). */
export function hash(b: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  return h >>> 0;
}

/**
 * The data file, unpacked: the number of ranks and of slots (u32 each, little-endian, as typed
 * arrays are on every platform we ship), the slots, the starts, then each rank's length byte and
 * bytes in rank order.
 */
export function readTable(gz: Uint8Array<ArrayBuffer>): RankTable {
  const raw = Bun.gunzipSync(gz);
  const head = new DataView(raw.buffer, raw.byteOffset, 8);
  const n = head.getUint32(0, true);
  const size = head.getUint32(4, true);
  const slots = new Int32Array(raw.buffer, raw.byteOffset + 8, size);
  const starts = new Uint32Array(raw.buffer, slots.byteOffset + 4 * size, n);
  const bytes = new Uint8Array(raw.buffer, starts.byteOffset + 4 * n);
  return new RankTable(slots, starts, bytes);
}

const MAX = 0x7fffffff;

/**
 * Counts o200k tokens as tiktoken does: the text split by o200k's pattern, each piece one token
 * when it is in the table, else byte-pair merged (lowest rank first). Special tokens are counted
 * as the plain text they are, as gpt-tokenizer does when none is allowed. Buffers are reused
 * across pieces: a count allocates only the pieces' strings.
 */
export class Counter {
  private buf = new Uint8Array(256);
  private parts = new Int32Array(257);
  private ranks = new Int32Array(257);
  private readonly encoder = new TextEncoder();

  constructor(private readonly table: RankTable) {}

  count(text: string): number {
    let n = 0;
    for (const [piece] of text.matchAll(O200K_TOKEN_SPLIT_REGEX)) n += this.piece(piece);
    return n;
  }

  private piece(piece: string): number {
    if (this.buf.length < piece.length * 3) this.buf = new Uint8Array(piece.length * 3);
    const len = this.encoder.encodeInto(piece, this.buf).written;
    if (len <= 1 || this.table.rank(this.buf, 0, len) >= 0) return 1;
    return this.merge(len);
  }

  /** Byte-pair merge of buf[0, len): how many tokens it ends as. */
  private merge(len: number): number {
    if (this.parts.length < len + 1) {
      this.parts = new Int32Array(len + 1);
      this.ranks = new Int32Array(len + 1);
    }
    const { parts, ranks, buf, table } = this;
    // parts[i]: where part i starts (parts[count] = len); ranks[i]: the rank of parts i and i+1 merged.
    let count = len;
    for (let i = 0; i <= len; i++) parts[i] = i;
    const pairRank = (i: number): number => {
      if (i + 2 > count) return MAX;
      const r = table.rank(buf, parts[i] as number, parts[i + 2] as number);
      return r < 0 ? MAX : r;
    };
    for (let i = 0; i < count; i++) ranks[i] = pairRank(i);
    while (count > 1) {
      let best = MAX;
      let at = -1;
      for (let i = 0; i < count - 1; i++)
        if ((ranks[i] as number) < best) {
          best = ranks[i] as number;
          at = i;
        }
      if (at < 0) break;
      // Parts at and at+1 become one: drop the boundary at+1.
      parts.copyWithin(at + 1, at + 2, count + 1);
      ranks.copyWithin(at + 1, at + 2, count);
      count--;
      ranks[at] = pairRank(at);
      if (at > 0) ranks[at - 1] = pairRank(at - 1);
    }
    return count;
  }
}

let counter: Counter | undefined;

/** Tokens of `text`; the table is read on the first call (about 4 MB kept). */
export function countO200k(text: string): number {
  counter ??= new Counter(readTable(readFileSync(tableFile)));
  return counter.count(text);
}
