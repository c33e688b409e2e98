import { describe, expect, test } from "bun:test";
import type { RpcMessage } from "../src/jsonrpc.ts";
import { keepRaw, serialize, swapId } from "../src/raw.ts";

describe("raw passthrough of backend responses", () => {
  test("the id is swapped where the TypeScript SDK puts it (last member)", () => {
    const raw =
      '{"result":{"content":[{"type":"text","text":"\\"id\\":7}"}]},"jsonrpc":"2.0","id":7}';
    expect(swapId(raw, 7, "client-1")).toBe(
      '{"result":{"content":[{"type":"text","text":"\\"id\\":7}"}]},"jsonrpc":"2.0","id":"client-1"}',
    );
  });

  test("the id is swapped where the Python SDK puts it (after jsonrpc)", () => {
    expect(swapId('{"jsonrpc":"2.0","id":12,"result":{}}', 12, 3)).toBe(
      '{"jsonrpc":"2.0","id":3,"result":{}}',
    );
  });

  test("an id that is not a top-level member is never touched", () => {
    // The last member is "result"; an "id":7} at the very end belongs to a nested object.
    expect(swapId('{"jsonrpc":"2.0","result":{"x":{"id":7}}}', 7, 1)).toBeUndefined();
    expect(swapId('{"result":{},"jsonrpc":"2.0","id":17}', 7, 1)).toBeUndefined();
    expect(swapId('{"result":{"k\\"id":7}', 7, 1)).toBeUndefined();
  });

  test("serialize gives the same JSON as a fresh stringify after the id changed", () => {
    const lines = [
      '{"result":{"content":[{"type":"text","text":"hi"}],"extra":[1,2]},"jsonrpc":"2.0","id":4}',
      '{"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"bad"}}',
      '{"jsonrpc": "2.0", "id": 4, "result": {}}',
    ];
    for (const line of lines) {
      const m = JSON.parse(line) as RpcMessage;
      keepRaw(m, line);
      (m as { id: unknown }).id = "abc";
      expect(JSON.parse(serialize(m))).toEqual(JSON.parse(JSON.stringify(m)));
    }
  });

  test("requests and notifications are not kept raw", () => {
    const line = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    const m = JSON.parse(line) as RpcMessage;
    keepRaw(m, line);
    (m as { id: unknown }).id = 2;
    expect(serialize(m)).toBe('{"jsonrpc":"2.0","id":2,"method":"ping"}');
  });
});
