// WordNet's related words, read on first use from the table bundled with the gateway.
import { readFileSync } from "node:fs";
import table from "./data/wordnet.txt.gz" with { type: "file" };
import type { Related, Synonyms } from "./expand.ts";

const split = (col: string | undefined): string[] => (col ? col.split(" ") : []);

/**
 * The table as one string and an index of where each word's line starts: a few MB, against tens
 * for a Map of parsed lines; a lookup parses one line. Loaded once, only when a search needs it.
 */
class WordNetTable implements Synonyms {
  private readonly starts = new Map<string, number>();

  constructor(private readonly text: string) {
    let at = text.indexOf("\n") + 1; // the first line says where the table comes from
    while (at > 0 && at < text.length) {
      const tab = text.indexOf("\t", at);
      const end = text.indexOf("\n", at);
      if (tab < 0 || end < 0) break;
      this.starts.set(text.slice(at, tab), tab + 1);
      at = end + 1;
    }
  }

  get(lemma: string): Related | undefined {
    const at = this.starts.get(lemma);
    if (at === undefined) return undefined;
    const [synonyms, hypernyms, related] = this.text
      .slice(at, this.text.indexOf("\n", at))
      .split("\t");
    return { synonyms: split(synonyms), hypernyms: split(hypernyms), related: split(related) };
  }
}

let loaded: Synonyms | undefined;

/** The bundled WordNet table (embedded in the compiled binary; no download). */
export function wordnet(): Synonyms {
  loaded ??= new WordNetTable(new TextDecoder().decode(Bun.gunzipSync(readFileSync(table))));
  return loaded;
}
