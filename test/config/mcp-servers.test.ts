import { describe, expect, test } from "bun:test";
import {
  fromMcpServers,
  isMcpServersFile,
  McpServersFileSchema,
  toMcpServersPath,
} from "../../src/config/mcp-servers.ts";
import { ConfigSchema } from "../../src/config/schema.ts";

const convert = (mcpServers: unknown) =>
  ConfigSchema.parse(fromMcpServers(McpServersFileSchema.parse({ mcpServers }))).servers;

describe("mcpServers conversion", () => {
  test("stdio entries, with or without type", () => {
    expect(convert({ a: { command: "npx", args: ["x"], env: { K: "v" } } }).a).toEqual({
      command: "npx",
      args: ["x"],
      env: { K: "v" },
      enabled: true,
    });
    expect(convert({ a: { type: "stdio", command: "uvx", cwd: "/w" } }).a).toEqual({
      command: "uvx",
      args: [],
      env: {},
      cwd: "/w",
      enabled: true,
    });
  });

  test("remote entries: type decides the transport", () => {
    const s = convert({
      h: { type: "http", url: "https://h/mcp", headers: { A: "b" } },
      s: { type: "streamable-http", url: "https://h/mcp" },
      e: { type: "sse", url: "https://h/sse" },
      u: { url: "https://h/any" },
    });
    expect(s.h).toEqual({
      url: "https://h/mcp",
      headers: { A: "b" },
      transport: "http",
      enabled: true,
    });
    expect(s.s).toMatchObject({ transport: "http" });
    expect(s.e).toMatchObject({ transport: "sse" });
    expect(s.u).toMatchObject({ transport: "auto" });
  });

  test("disabled: true means enabled: false; tolerated keys are dropped", () => {
    const s = convert({
      a: {
        command: "x",
        disabled: true,
        autoApprove: ["t"],
        alwaysAllow: [],
        timeout: 60,
        description: "d",
      },
    });
    expect(s.a).toEqual({ command: "x", args: [], env: {}, enabled: false });
  });

  test("other keys are rejected", () => {
    expect(
      McpServersFileSchema.safeParse({ mcpServers: { a: { command: "x", trust: true } } }).success,
    ).toBe(false);
    expect(McpServersFileSchema.safeParse({ mcpServers: {}, extra: 1 }).success).toBe(false);
  });

  test("paths map back to the file's keys", () => {
    expect(toMcpServersPath(["servers", "a", "transport"])).toEqual(["mcpServers", "a", "type"]);
    expect(toMcpServersPath(["servers", "a", "enabled"])).toEqual(["mcpServers", "a", "disabled"]);
    expect(toMcpServersPath(["servers", "a", "env", "K"])).toEqual(["mcpServers", "a", "env", "K"]);
    expect(toMcpServersPath(["servers"])).toEqual(["mcpServers"]);
  });

  test("detection", () => {
    expect(isMcpServersFile({ mcpServers: {} })).toBe(true);
    expect(isMcpServersFile({ servers: {} })).toBe(false);
    expect(isMcpServersFile(null)).toBe(false);
  });
});
