// Writes src/search/data/o200k.bin.gz: gpt-tokenizer's o200k_base rank table in the ready-to-use
// layout src/search/o200k.ts reads (a hash table of ranks, where each token starts, the tokens'
// bytes), gzipped: loading it is a gunzip, no loop. gpt-tokenizer's own tables (a 2.4 MB JavaScript
// array literal, then 200,000 strings in a Map) would add their size to the binary and about 50 MB
// of heap.
// Usage: bun scripts/o200k-table.ts   (rerun after upgrading gpt-tokenizer; the output is committed)
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ranks from "gpt-tokenizer/bpeRanks/o200k_base";
import { hash } from "../src/search/o200k.ts";

const out = fileURLToPath(new URL("../src/search/data/o200k.bin.gz", import.meta.url));
const encoder = new TextEncoder();
const tokens = (ranks as (string | number[] | undefined)[]).map((v, rank) => {
  // A hole would shift every later rank; o200k_base has none.
  if (v === undefined) throw new Error(`rank ${rank} has no token`);
  const b = typeof v === "string" ? encoder.encode(v) : Uint8Array.from(v);
  if (b.length === 0 || b.length > 255) throw new Error(`rank ${rank}: ${b.length} bytes`);
  return b;
});
const n = tokens.length;
// At most half full: short probe runs.
let size = 1;
while (size < n * 2) size <<= 1;
const byteCount = tokens.reduce((s, b) => s + 1 + b.length, 0);
const raw = new Uint8Array(8 + 4 * size + 4 * n + byteCount);
const head = new DataView(raw.buffer);
head.setUint32(0, n, true);
head.setUint32(4, size, true);
const slots = new Int32Array(raw.buffer, 8, size);
const starts = new Uint32Array(raw.buffer, 8 + 4 * size, n);
const bytes = new Uint8Array(raw.buffer, 8 + 4 * size + 4 * n);
let at = 0;
tokens.forEach((b, rank) => {
  bytes[at++] = b.length;
  starts[rank] = at;
  bytes.set(b, at);
  at += b.length;
  let slot = hash(b, 0, b.length) & (size - 1);
  while (slots[slot] !== 0) slot = (slot + 1) & (size - 1);
  slots[slot] = rank + 1;
});
const gz = Bun.gzipSync(raw, { level: 9 });
writeFileSync(out, gz);
console.log(`${out}: ${n} ranks, ${size} slots, ${raw.length} bytes, ${gz.length} gzipped`);
