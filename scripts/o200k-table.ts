// Writes src/search/data/o200k.json.gz: gpt-tokenizer's o200k_base rank table as gzipped JSON.
// Bundled as a data file, not as gpt-tokenizer's 2.4 MB JavaScript array literal, the compiled
// binary stays about 5 MB smaller and its idle RSS does not grow: the table is read only when a
// token count is needed (src/search/tokens.ts).
// Usage: bun scripts/o200k-table.ts   (rerun after upgrading gpt-tokenizer; the output is committed)
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ranks from "gpt-tokenizer/bpeRanks/o200k_base";

const out = fileURLToPath(new URL("../src/search/data/o200k.json.gz", import.meta.url));
const json = JSON.stringify(ranks);
const gz = Bun.gzipSync(new TextEncoder().encode(json), { level: 9 });
writeFileSync(out, gz);
console.log(
  `${out}: ${(ranks as unknown[]).length} ranks, ${json.length} bytes, ${gz.length} gzipped`,
);
