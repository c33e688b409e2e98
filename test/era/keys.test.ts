// The protocol constants the gateway spells out itself (so that no start loads the SDK package)
// are the SDK's own.
import { expect, test } from "bun:test";
import * as sdk from "@modelcontextprotocol/server";
import * as keys from "../../src/era/keys.ts";
import { LATEST_VERSION, PROTOCOL_VERSIONS } from "../../src/protocol.ts";

test("the _meta keys and the legacy versions equal the SDK's", () => {
  const own: Record<string, unknown> = sdk;
  for (const [name, value] of Object.entries(keys)) expect(own[name]).toBe(value);
  expect([...PROTOCOL_VERSIONS]).toEqual(sdk.SUPPORTED_PROTOCOL_VERSIONS);
  expect(LATEST_VERSION).toBe(sdk.LATEST_PROTOCOL_VERSION);
});
