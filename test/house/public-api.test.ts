// A plugin's `import … from "mcp-gateway"` gets the values the gateway hands down (publicApi in
// gateway.ts), which must be exactly what src/index.ts exports.
import { expect, test } from "bun:test";
import { publicApi } from "../../src/gateway.ts";
import * as index from "../../src/index.ts";

test("the plugin runtime's module is src/index.ts, value for value", () => {
  const api = publicApi();
  expect(Object.keys(api).sort()).toEqual(Object.keys(index).sort());
  for (const [name, value] of Object.entries(index)) expect(api[name]).toBe(value);
});
