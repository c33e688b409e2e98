import { describe, expect, test } from "bun:test";
import { defineCommand } from "citty";
import { checkArgv, globalArgs, parsePort } from "../../src/cli/argv.ts";
import { isGatewayError } from "../../src/errors.ts";

const sub = defineCommand({
  args: { config: { type: "string" }, json: { type: "boolean" }, ...globalArgs },
});
const root = defineCommand({ args: globalArgs, subCommands: { list: () => Promise.resolve(sub) } });

async function usage(argv: string[]): Promise<string> {
  try {
    await checkArgv(argv, root);
  } catch (e) {
    if (isGatewayError(e) && e.code === "USAGE" && e.exitCode === 2) return e.message;
    throw e;
  }
  throw new Error("expected a usage error");
}

describe("checkArgv", () => {
  test("accepts declared flags in every form", async () => {
    expect(await checkArgv(["list", "--config", "a.yaml", "--json"], root)).toEqual({
      command: "list",
      help: false,
      version: false,
    });
    expect(
      await checkArgv(["--log-level", "debug", "list", "--config=a", "--no-json"], root),
    ).toEqual({
      command: "list",
      help: false,
      version: false,
      logLevel: "debug",
    });
    expect((await checkArgv(["list", "--log-level=warn", "--json=false"], root)).logLevel).toBe(
      "warn",
    );
  });

  test("help and version", async () => {
    expect(await checkArgv(["list", "-h"], root)).toMatchObject({ command: "list", help: true });
    expect(await checkArgv(["--version"], root)).toMatchObject({ version: true });
    expect(await usage(["list", "--version"])).toBe("unknown option --version (try --help)");
  });

  test("rejects what is not declared", async () => {
    expect(await usage(["nope"])).toBe('unknown command "nope"; expected list (try --help)');
    expect(await usage(["--config", "a", "list"])).toBe("unknown option --config (try --help)");
    expect(await usage(["list", "--conf", "a"])).toBe("unknown option --conf (try --help)");
    expect(await usage(["list", "--config"])).toBe("option --config needs a value (try --help)");
    expect(await usage(["list", "--config="])).toBe("option --config needs a value (try --help)");
    expect(await usage(["list", "--config", "--json"])).toBe(
      "option --config needs a value (try --help)",
    );
    expect(await usage(["list", "--json=yes"])).toBe("option --json takes no value (try --help)");
    expect(await usage(["list", "--no-config"])).toBe("unknown option --no-config (try --help)");
    expect(await usage(["list", "x"])).toBe('unexpected argument "x" (try --help)');
    expect(await usage(["list", "--", "x"])).toBe('unexpected argument "x" (try --help)');
    expect(await usage(["list", "-j"])).toBe("unknown option -j (try --help)");
    expect(await usage(["toString"])).toContain('unknown command "toString"');
  });
});

test("parsePort", () => {
  expect(parsePort("0")).toBe(0);
  expect(parsePort("8765")).toBe(8765);
  expect(parsePort("65535")).toBe(65535);
  for (const bad of ["65536", "-1", "1.5", "abc", "", "0x10", " 80"]) {
    expect(() => parsePort(bad)).toThrow("--port must be a number from 0 to 65535");
  }
});
