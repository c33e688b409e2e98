// Text into index terms: identifiers split into words, stop words dropped, words stemmed.
import { stemmer } from "stemmer";

/**
 * Generic English function words, plus the words every tool definition says ("tool", "use")
 * and that therefore tell tools apart no better than "the" does.
 */
const STOP = new Set(
  `a about above after again all also am an and any are as at be because been before being
  below between both but by can could did do does doing down during each either else etc even
  ever every few for from further had has have having he her here hers him his how i if in into
  is it its itself just let lets like may me might more most much must my no nor not now of off
  often on once one only or other our ours out over own per please s same she should so some
  such than that the their theirs them then there these they this those through to too under
  until up upon us use used uses using very via was we were what when where whether which while
  who whom whose why will with within without would yet you your yours tool tools`.split(/\s+/),
);

/** Words of an identifier or a sentence: `readFile`, `read_file`, `read-file` → read, file. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[^\p{L}\p{N}]+/u)) {
    if (!raw) continue;
    // camelCase and PascalCase boundaries, keeping acronyms whole: "getHTTPResponse" → get HTTP Response
    const parts = raw
      .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
      .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
      .toLowerCase()
      .split(" ");
    // A brand written in camel case ("GitHub", "arXiv") is also a word of its own.
    if (parts.length > 1 && parts.length <= 3 && raw.length <= 12) out.push(raw.toLowerCase());
    out.push(...parts);
  }
  return out;
}

/** Stems by word: a catalog repeats its words many times, and stemming is the costly step. */
const stems = new Map<string, string>();
const MAX_STEMS = 50_000;

/** A word as the index keeps it, or undefined for a stop word or a lone character. */
export function term(word: string): string | undefined {
  if (word.length < 2 || STOP.has(word)) return undefined;
  // Numbers stay as written ("2310", "v2"): stemming only garbles them.
  if (/\d/.test(word)) return word;
  let s = stems.get(word);
  if (s === undefined) {
    s = stemmer(word);
    if (stems.size >= MAX_STEMS) stems.clear();
    stems.set(word, s);
  }
  return s;
}

/** The index terms of a text, in order, repeats kept (term frequency counts them). */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    const t = term(w);
    if (t !== undefined) out.push(t);
  }
  return out;
}

export const isStopWord = (word: string): boolean => STOP.has(word);

export interface QueryWord {
  word: string;
  /** 1 for a word of the request; less for one inside a value it quotes (a path, a file name). */
  weight: number;
}

/**
 * A token of a request that is a value rather than words about the task: a path or owner/repo
 * ("src/ui", "acme/web"), a file name ("old.log"), a key or id with separators or digits
 * ("feature_flags:checkout", "U07XYZ", "mon_42"), a channel or handle ("#ops", "@bob").
 */
const VALUE = /[/\\:#@]|\w\.\w{1,5}$|^(?=.*\d)(?=.*\p{L})/u;
/** How much the words of a quoted value count: some, since "old.log" still says "log". */
export const VALUE_WEIGHT = 0.3;

/** The words of a search request, each weighted by whether it sits inside a quoted value. */
export function queryWords(query: string): QueryWord[] {
  const out: QueryWord[] = [];
  for (const token of query.split(/\s+/)) {
    const bare = token.replace(/^[("'`]+|[)"'`?!,;.]+$/g, "");
    if (!bare) continue;
    const weight = VALUE.test(bare) ? VALUE_WEIGHT : 1;
    for (const word of words(bare)) out.push({ word, weight });
  }
  return out;
}
