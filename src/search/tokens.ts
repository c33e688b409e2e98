// The o200k token weight of tool definitions (gpt-tokenizer), loaded only when a figure is needed.
import { readFileSync } from "node:fs";
import ranksFile from "./data/o200k.json.gz" with { type: "file" };

type Count = (text: string) => number;
let count: Count | undefined;

interface Core {
  countNative(text: string, allowedSpecial: Set<string>): number;
}
type CoreClass = new (o: {
  bytePairRankDecoder: unknown;
  tokenSplitRegex: RegExp;
  specialTokensEncoder: Map<string, number>;
}) => Core;

/** o200k's special tokens: counted as the plain text they are in a definition, never refused. */
const SPECIAL = new Map([
  ["<|endoftext|>", 199_999],
  ["<|endofprompt|>", 200_018],
]);

/**
 * gpt-tokenizer's o200k encoder costs about 50 MB of heap and 0.1-0.3 s to set up, so it is made on
 * the first count, never at start: a gateway whose tool search is off, or far from its threshold
 * and never asked for status, never makes it. Only its encoding core is used (the package's model
 * tables and chat helpers stay out of the binary), and its rank table comes from a gzipped data
 * file (scripts/o200k-table.ts) rather than the package's JavaScript copy, which would add its
 * size to the binary. `require` keeps counting synchronous (tools/list, /status).
 */
function counter(): Count {
  if (!count) {
    const { BytePairEncodingCore } = require("gpt-tokenizer/BytePairEncodingCore") as {
      BytePairEncodingCore: CoreClass;
    };
    const { O200K_TOKEN_SPLIT_REGEX } = require("gpt-tokenizer/encodingParams/constants") as {
      O200K_TOKEN_SPLIT_REGEX: RegExp;
    };
    const ranks: unknown = JSON.parse(
      new TextDecoder().decode(Bun.gunzipSync(readFileSync(ranksFile))),
    );
    const core = new BytePairEncodingCore({
      bytePairRankDecoder: ranks,
      tokenSplitRegex: O200K_TOKEN_SPLIT_REGEX,
      specialTokensEncoder: SPECIAL,
    });
    const none = new Set<string>();
    count = (text) => core.countNative(text, none);
  }
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
