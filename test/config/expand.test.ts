import { describe, expect, test } from "bun:test";
import { ExpandError, expandString, expandTree } from "../../src/config/expand.ts";

const env = { HOME: "/home/u", EMPTY: "", TOKEN: "t0k" };

function expandError(input: string): ExpandError {
  try {
    expandString(input, env);
  } catch (e) {
    if (e instanceof ExpandError) return e;
    throw e;
  }
  throw new Error("expected an ExpandError");
}

describe("expandString", () => {
  test("${VAR} and ${VAR:-default}", () => {
    expect(expandString("${HOME}/x", env)).toBe("/home/u/x");
    expect(expandString("Bearer ${TOKEN}", env)).toBe("Bearer t0k");
    expect(expandString("${NOPE:-fallback}", env)).toBe("fallback");
    expect(expandString("${NOPE:-}", env)).toBe("");
    expect(expandString("${HOME:-other}", env)).toBe("/home/u");
    expect(expandString("${NOPE:-a:b c-d}", env)).toBe("a:b c-d");
  });

  test("an empty value is kept without a default and replaced with one (like the shell's :-)", () => {
    expect(expandString("[${EMPTY}]", env)).toBe("[]");
    expect(expandString("${EMPTY:-d}", env)).toBe("d");
  });

  test("$${ is a literal ${", () => {
    expect(expandString("$${HOME}", env)).toBe("${HOME}");
    expect(expandString("a $${NOPE} ${HOME}", env)).toBe("a ${NOPE} /home/u");
  });

  test("nothing else is touched and nothing runs", () => {
    for (const s of ["$HOME", "$(echo hi)", "`echo hi`", "cost: $5", "$$", "{HOME}", "plain"]) {
      expect(expandString(s, env)).toBe(s);
    }
    expect(expandString("${NOPE:-$(rm -rf /)}", env)).toBe("$(rm -rf /)");
  });

  test("an unset variable without a default is an error naming it", () => {
    const e = expandError("x ${GITHUB_TOKEN} y");
    expect(e.variable).toBe("GITHUB_TOKEN");
    expect(e.message).toBe(
      "environment variable GITHUB_TOKEN is not set (write ${GITHUB_TOKEN:-default} to give a default)",
    );
  });

  test("malformed references are errors, not silently kept", () => {
    expect(expandError("${A B}").message).toContain('bad variable reference "${A B}"');
    expect(expandError("${}").message).toContain("bad variable reference");
    expect(expandError("${1X}").message).toContain("bad variable reference");
    expect(expandError("${HOME").message).toContain('unclosed "${"');
    expect(expandError("${A:-${B}}").message).toContain("nested");
  });
});

describe("expandTree", () => {
  test("expands string values at any depth, never keys or other types", () => {
    const input = {
      "${HOME}": "${HOME}",
      list: ["${TOKEN}", 1, true, null, { deep: "${NOPE:-d}" }],
      n: 5,
    };
    expect(expandTree(input, env)).toEqual({
      "${HOME}": "/home/u",
      list: ["t0k", 1, true, null, { deep: "d" }],
      n: 5,
    });
    expect(input.list[0]).toBe("${TOKEN}");
  });

  test("errors carry the key path", () => {
    try {
      expandTree({ servers: { fs: { args: ["a", "${MISSING}"] } } }, env);
      throw new Error("expected an error");
    } catch (e) {
      expect(e).toBeInstanceOf(ExpandError);
      expect((e as ExpandError).path).toEqual(["servers", "fs", "args", 1]);
      expect((e as ExpandError).variable).toBe("MISSING");
    }
  });
});
