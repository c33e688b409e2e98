import { expect, test } from "bun:test";
import { formatList } from "../../src/cli/list.ts";

test("servers table, then the tools with their origin", () => {
  const text = formatList({
    servers: [
      {
        name: "filesystem",
        kind: "stdio",
        enabled: true,
        state: "stopped",
        source: "cache",
        tools: 14,
      },
      { name: "api", kind: "remote", enabled: true, state: "running", source: "live", tools: 2 },
    ],
    tools: [
      { name: "gateway_status" },
      { name: "filesystem_read_file", server: "filesystem", original: "read_file" },
      { name: "search", server: "api", original: "search" },
    ],
    role: "readonly",
  });
  expect(text).toBe(
    [
      "SERVER      KIND    STATE    SCHEMAS  TOOLS",
      "filesystem  stdio   stopped  cache    14",
      "api         remote  running  live     2",
      "",
      "TOOLS (role readonly)",
      "gateway_status",
      "filesystem_read_file -> filesystem: read_file",
      "search",
      "",
    ].join("\n"),
  );
});

test("nothing configured", () => {
  expect(formatList({ servers: [], tools: [] })).toBe("No servers configured.\n\nTOOLS\n(none)\n");
});
