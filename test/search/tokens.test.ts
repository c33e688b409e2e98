// o200k token counts: our compact counter against gpt-tokenizer's own, definition by definition, and
// the token weight of whole lists.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import type { Def } from "../../src/protocol.ts";
import { countO200k } from "../../src/search/o200k.ts";
import { tokenWeight, weighsMore } from "../../src/search/tokens.ts";
import { catalogPaths } from "./harness.ts";

const catalogs = [...catalogPaths()].map(([server, path]) => ({
  server,
  tools: (JSON.parse(readFileSync(path, "utf8")) as { tools: Def[] }).tools,
}));
const all = catalogs.flatMap((c) => c.tools);

describe("o200k counter", () => {
  test("equals gpt-tokenizer's count on every definition of the 20-server catalog", () => {
    expect(all.length).toBeGreaterThan(250);
    const differ = all
      .map((d) => JSON.stringify(d))
      .filter((text) => countO200k(text) !== countTokens(text));
    expect(differ).toEqual([]);
  });

  test("equals it on text that needs byte-level merges", () => {
    const texts = [
      "héllo wörld — 日本語のテキスト, русский текст, العربية, हिन्दी, Ελληνικά",
      "emoji 🎉🎉 👩‍👩‍👧 and a lone surrogate \ud800 here",
      "\u00a0 tabs\t\t\n\n\r\n   trailing   ",
      "x".repeat(3000),
      " ".repeat(300),
      "1234567890".repeat(30),
      "<|endoftext|> is plain text in a definition",
      readFileSync(new URL("../../README.md", import.meta.url), "utf8").slice(0, 20_000),
    ];
    // gpt-tokenizer refuses special tokens unless told to read them as text, which is what we do.
    const asText = { disallowedSpecial: new Set<string>() };
    for (const t of texts) expect(countO200k(t)).toBe(countTokens(t, asText));
  });
});

describe("token weight", () => {
  // Summed per definition (each counted once, cached), so a token may straddle a separator.
  test("within 5% of gpt-tokenizer's count of a server's tools array, 1% of all", () => {
    for (const c of catalogs) {
      const exact = countTokens(JSON.stringify(c.tools));
      expect(Math.abs(tokenWeight(c.tools) - exact) / exact).toBeLessThan(0.05);
    }
    const exact = countTokens(JSON.stringify(all));
    expect(Math.abs(tokenWeight(all) - exact) / exact).toBeLessThan(0.01);
  });

  test("weighsMore agrees with the count on both sides of the limit", () => {
    const w = tokenWeight(all);
    expect(weighsMore(all, w - 1)).toBe(true);
    expect(weighsMore(all, w)).toBe(false);
    expect(weighsMore(all, 10)).toBe(true);
    expect(weighsMore(all, 10_000_000)).toBe(false);
  });
});
