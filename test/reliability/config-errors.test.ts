// Issue 7, no half-started gateway: a config with a valid server next to an error, a plugin that
// fails to load, or an unknown role makes every command exit 2 with one clear line, before any
// backend starts (no fixture ever records a start) and without serving anything.
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixtureCommand } from "../helpers/fixture.ts";
import { Scene } from "./scene.ts";

const T = 30_000;
const scene = new Scene();
afterAll(() => scene.cleanup());

/** A server that starts at once and leaves a grandchild: any start would show in FIXTURE_PID_DIR. */
const valid = () => fixtureCommand(["--grandchild"]);

function plugin(name: string, source: string): string {
  writeFileSync(join(scene.dir.path, name), source);
  return `./${name}`;
}

interface Case {
  name: string;
  config: () => object;
  args?: string[];
  says: RegExp;
  /** A known, reported bug: registered as test.todo until the lead fixes it. */
  bug?: string;
}

const CASES: Case[] = [
  {
    name: "an unknown key next to a valid server",
    config: () => ({ servers: { ok: valid(), typo: { ...valid(), enabeld: true } } }),
    says: /enabeld/,
  },
  {
    name: "a wrong type next to a valid server",
    config: () => ({ idle_timeout: "soon", servers: { ok: valid() } }),
    says: /idle_timeout/,
  },
  {
    name: "an unset ${VAR} next to a valid server",
    config: () => ({
      servers: { ok: valid(), other: { ...valid(), env: { T: "${NOT_SET_X9}" } } },
    }),
    says: /NOT_SET_X9/,
  },
  {
    name: "a plugin with a syntax error",
    config: () => ({
      servers: { ok: valid() },
      plugins: [{ module: plugin("syntax.ts", "export const broken = tool({ description: \n") }],
    }),
    says: /syntax\.ts/,
  },
  {
    name: "a plugin that throws while loading",
    config: () => ({
      servers: { ok: valid() },
      plugins: [{ module: plugin("throws.ts", 'throw new Error("plugin exploded");\n') }],
    }),
    says: /throws\.ts.*plugin exploded/,
  },
  {
    name: "a plugin that exports no tool",
    config: () => ({
      servers: { ok: valid() },
      plugins: [{ module: plugin("none.ts", "export const answer = 42;\n") }],
    }),
    says: /none\.ts/,
  },
  {
    name: "a plugin file that does not exist",
    config: () => ({ servers: { ok: valid() }, plugins: [{ module: "./missing.ts" }] }),
    says: /missing\.ts/,
  },
  {
    name: "an unknown role",
    config: () => ({ servers: { ok: valid() }, roles: { admin: null } }),
    args: ["--role", "nosuchrole"],
    says: /nosuchrole/,
  },
  {
    // resolveRole checks `name in config.roles`, which Object.prototype keys pass: the Role gets
    // a function for its globs and the CLI dies with "unexpected error: globs.map…", status 1.
    name: "a role named like an Object.prototype key",
    config: () => ({ servers: { ok: valid() }, roles: { admin: null } }),
    args: ["--role", "toString"],
    says: /unknown role "toString"/,
  },
  {
    // expandString reads env[name] through the prototype: ${toString} expands to the text of
    // a native function instead of being an unset variable.
    name: "${toString} as a variable",
    config: () => ({ servers: { ok: { ...valid(), env: { T: "${toString}" } } } }),
    says: /toString/,
  },
];

const COMMANDS = [["stdio"], ["serve", "--port", "0"], ["list", "--refresh"]];

describe("a config error never leaves a half-started gateway", () => {
  for (const c of CASES)
    (c.bug ? test.todo : test)(
      `${c.name}: exit 2, one line, nothing started`,
      async () => {
        const file = scene.writeConfig(c.config(), join(scene.dir.path, "gateway.yaml"));
        for (const cmd of COMMANDS) {
          const r = await scene.run([...cmd, "--config", file, ...(c.args ?? [])]);
          const lines = r.stderr.trim().split("\n");
          expect({ cmd, code: r.code, stdout: r.stdout }).toEqual({ cmd, code: 2, stdout: "" });
          expect(lines.at(-1) ?? "").toMatch(c.says);
          expect(lines.at(-1) ?? "").toStartWith("mcp-gateway: ");
          expect(r.stderr).not.toContain("serving MCP");
          expect(r.stderr).not.toContain("starting server");
          expect({ cmd, starts: scene.starts(), grandchildren: scene.grandchildren() }).toEqual({
            cmd,
            starts: [],
            grandchildren: [],
          });
        }
      },
      T,
    );
});
