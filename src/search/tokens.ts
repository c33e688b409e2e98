// The o200k token weight of tool definitions, counted only when a figure is needed.

type Count = (text: string) => number;
let count: Count | undefined;

/**
 * The counter (src/search/o200k.ts: about 4 MB once made, 30-60 ms to set up) is loaded on the
 * first count, never at start: a gateway whose tool search is off, or far from its threshold and
 * never asked for status, never loads it. `require` keeps counting synchronous (tools/list,
 * /status).
 */
function counter(): Count {
  count ??= (require("./o200k.ts") as typeof import("./o200k.ts")).countO200k;
  return count;
}

/** Counts per definition object: definitions are rebuilt only when a list changes. */
const perDef = new WeakMap<object, number>();

/**
 * Tokens of `JSON.stringify(defs)` (the `tools` array as tools/list sends it), as the sum of each
 * definition's count plus one per separator: within a token or two of counting the whole array.
 */
export function tokenWeight(defs: readonly object[]): number {
  let total = defs.length === 0 ? 1 : 1 + defs.length;
  for (const d of defs) {
    let n = perDef.get(d);
    if (n === undefined) {
      n = counter()(JSON.stringify(d));
      perDef.set(d, n);
    }
    total += n;
  }
  return total;
}

/**
 * Whether definitions weigh more than `limit` tokens. JSON definitions take 3 to 6 UTF-8 bytes a
 * token (4.1-4.7 measured over 14 real servers), so far from the limit the byte count decides and
 * the tokenizer is not loaded; near it, the tokens are counted.
 */
export function weighsMore(defs: readonly object[], limit: number): boolean {
  let bytes = 0;
  for (const d of defs) bytes += Buffer.byteLength(JSON.stringify(d));
  if (bytes / 3 <= limit) return false;
  if (bytes / 6 > limit) return true;
  return tokenWeight(defs) > limit;
}

/** Tokens of one text (for figures other than definitions). */
export const countTokens = (text: string): number => counter()(text);
