// The house rules CI checks (scripts/check-imports.ts), held to their word: the checker finds a
// cycle, an upward import and an unplaced folder when they are there, and none in src/ today.
import { describe, expect, test } from "bun:test";
import { check, cycles, importsOf, rankOf, stripComments } from "../../scripts/check-imports.ts";

describe("scripts/check-imports.ts", () => {
  test("src/ has no import cycle and no upward import", () => {
    expect(check()).toEqual([]);
  });

  test("every kind of import counts: value, type-only, re-export, dynamic, side effect", () => {
    const text = [
      'import { a } from "./a.ts";',
      'import type { B } from "../b.ts";',
      'export type { C } from "./c.ts";',
      "const d = await import('./d.ts');",
      'import "./e.ts";',
      'import {\n  f,\n  type G,\n} from "./f.ts";',
      'import { z } from "zod";',
      '// import { h } from "./h.ts";',
      '/* import { i } from "./i.ts"; */',
      'const glob = "src/**/*.ts"; import { j } from "./j.ts";',
    ].join("\n");
    expect(importsOf("src/router/x.ts", text).sort()).toEqual(
      [
        "src/router/a.ts",
        "src/b.ts",
        "src/router/c.ts",
        "src/router/d.ts",
        "src/router/e.ts",
        "src/router/f.ts",
        "src/router/j.ts",
      ].sort(),
    );
    expect(stripComments('"// not a comment" // a comment')).toBe('"// not a comment" ');
  });

  test("layers: higher folders rank higher; a file in no layer has no rank", () => {
    const [leaf, search, oauth, backend, router, front, gateway, cli] = [
      "src/log.ts",
      "src/search/tool-index.ts",
      "src/oauth/store.ts",
      "src/backend/server.ts",
      "src/router/router.ts",
      "src/front/http.ts",
      "src/gateway.ts",
      "src/cli/serve.ts",
    ].map(rankOf);
    expect([leaf, search, oauth, backend, router, front, gateway, cli]).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7,
    ]);
    expect(rankOf("src/config/load.ts")).toBe(0);
    expect(rankOf("src/nowhere/x.ts")).toBeUndefined();
  });

  test("cycles: found through type-only links, reported once per loop", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
      ["e", ["e"]],
    ]);
    expect(cycles(graph)).toEqual([["a", "b", "c"], ["e"]]);
  });
});
