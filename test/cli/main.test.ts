import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EXPECTED_ERRORS } from "../fixtures/config/expected.ts";
import { runCli } from "./run.ts";

const FIXTURES = resolve(import.meta.dir, "../fixtures/config");
const cwd = mkdtempSync(join(tmpdir(), "gw-cli-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/** Exit status 2, nothing on stdout, exactly one line on stderr. */
async function expectUsageLine(args: string[], line: string, env?: Record<string, string>) {
  const r = await runCli(args, { cwd, env });
  expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
    code: 2,
    stdout: "",
    stderr: `mcp-gateway: ${line}\n`,
  });
}

describe("config errors: exit 2 and one located line", () => {
  for (const [name, expected] of Object.entries(EXPECTED_ERRORS)) {
    test(name, async () => {
      const file = join(FIXTURES, name);
      await expectUsageLine(["list", "--config", file], `${file}:${expected}`);
    });
  }

  test("missing --config file, and missing $MCP_GATEWAY_CONFIG file", async () => {
    await expectUsageLine(
      ["list", "--config=nope.yaml"],
      `${join(cwd, "nope.yaml")}: config file not found (from --config)`,
    );
    await expectUsageLine(
      ["stdio"],
      `${join(cwd, "gone.yaml")}: config file not found (from MCP_GATEWAY_CONFIG)`,
      { MCP_GATEWAY_CONFIG: "gone.yaml" },
    );
  });
});

describe("usage errors: exit 2 and one line", () => {
  test("unknown command", () =>
    expectUsageLine(
      ["frobnicate"],
      'unknown command "frobnicate"; expected serve, stdio, list, login, logout, check, reload, schema (try --help)',
    ));
  test("no command", () => expectUsageLine([], "missing command (try --help)"));
  test("unknown flag, on the root and on a command", async () => {
    await expectUsageLine(["--foo"], "unknown option --foo (try --help)");
    await expectUsageLine(["list", "--refresh", "--jsno"], "unknown option --jsno (try --help)");
    await expectUsageLine(["schema", "--config", "x.yaml"], "unknown option --config (try --help)");
    await expectUsageLine(["stdio", "-x"], "unknown option -x (try --help)");
  });
  test("missing flag value", async () => {
    await expectUsageLine(["list", "--config"], "option --config needs a value (try --help)");
    await expectUsageLine(
      ["serve", "--port", "--insecure"],
      "option --port needs a value (try --help)",
    );
  });
  test("bad --port", async () => {
    await expectUsageLine(
      ["serve", "--port", "http"],
      '--port must be a number from 0 to 65535, got "http" (try --help)',
    );
    await expectUsageLine(
      ["serve", "--port=70000"],
      '--port must be a number from 0 to 65535, got "70000" (try --help)',
    );
  });
  test("bad --log-level and bad $MCP_GATEWAY_LOG", async () => {
    await expectUsageLine(
      ["--log-level", "loud", "schema"],
      '--log-level must be one of error, warn, info, debug, got "loud" (try --help)',
    );
    await expectUsageLine(
      ["schema"],
      'MCP_GATEWAY_LOG must be one of error, warn, info, debug, got "loud" (try --help)',
      {
        MCP_GATEWAY_LOG: "loud",
      },
    );
  });
  test("stray argument", () =>
    expectUsageLine(["list", "extra"], 'unexpected argument "extra" (try --help)'));
});

describe("output commands", () => {
  test("--version prints the package version", async () => {
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dir, "../../package.json"), "utf8"));
    const r = await runCli(["--version"], { cwd });
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  test("schema prints the config's JSON Schema", async () => {
    const r = await runCli(["schema"], { cwd });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const schema = JSON.parse(r.stdout);
    expect(schema.properties.servers).toBeDefined();
    expect(schema.properties.idle_timeout.type).toBe("number");
  });

  test("--help on stdout, for the root and for a command", async () => {
    const root = await runCli(["--help"], { cwd });
    expect(root.code).toBe(0);
    expect(root.stdout).toContain("USAGE mcp-gateway");
    expect(root.stdout).toContain("stdio");
    const list = await runCli(["list", "--help"], { cwd });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("--refresh");
    expect(list.stdout).not.toContain("\u001b[");
  });

  test("stdio writes nothing but protocol to stdout; stdin closed ends it with 0", async () => {
    writeFileSync(join(cwd, "quiet.yaml"), "servers: {}\n");
    const r = await runCli(["stdio", "--config", "quiet.yaml"], { cwd, stdin: "" });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
  });
});
