// Issue 7, batches on stdio: a JSON array is a batch answered item by item under protocol
// 2025-03-26 (a cancelled item is left out, the rest still answered) and refused with one error
// under 2025-06-18 and 2025-11-25, none of its requests run.
import { afterAll, describe, expect, test } from "bun:test";
import { textOf } from "../helpers/results.ts";
import type { Message } from "./raw.ts";
import { healthy, Scene } from "./scene.ts";
import { expectError, nextGood, nullIdErrors } from "./stdio-checks.ts";

const T = 30_000;

describe("stdio batches by protocol version", () => {
  const scene = new Scene();
  afterAll(() => scene.cleanup());

  const batch = (tag: string) =>
    JSON.stringify([
      { jsonrpc: "2.0", id: `${tag}-ping`, method: "ping" },
      {
        jsonrpc: "2.0",
        id: `${tag}-echo`,
        method: "tools/call",
        params: { name: "good_echo", arguments: { text: tag } },
      },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      42,
      { jsonrpc: "2.0", id: `${tag}-nope`, method: "nope" },
    ]);

  test(
    "2025-03-26 answers a batch with one array of per-item answers",
    async () => {
      scene.writeConfig({ servers: { good: healthy() } });
      const gw = await scene.gateway({ version: "2025-03-26" });
      await gw.call("_good_connect");
      gw.writeLine(batch("b"));
      const reply = await gw.until(
        () => gw.received.find((m): m is Message[] => Array.isArray(m)),
        "a batch reply",
      );
      expect(reply.length).toBe(4);
      expect(reply.find((m) => m.id === "b-ping")?.result).toEqual({});
      expect(textOf(reply.find((m) => m.id === "b-echo") ?? {})).toBe("b");
      expect(reply.find((m) => m.id === "b-nope")?.error?.code).toBe(-32601);
      expect(reply.find((m) => m.id === null)?.error?.code).toBe(-32600);

      // A request cancelled inside a batch gets no answer; the rest of its batch still does.
      gw.writeLine(
        JSON.stringify([
          {
            jsonrpc: "2.0",
            id: "c-slow",
            method: "tools/call",
            params: { name: "good_slow", arguments: { ms: 3000 } },
          },
          { jsonrpc: "2.0", id: "c-ping", method: "ping" },
        ]),
      );
      await Bun.sleep(100);
      gw.notify("notifications/cancelled", { requestId: "c-slow" });
      await gw.response("c-ping", 5000);
      expect(gw.answers.has("c-slow")).toBe(false);

      const [empty] = await nullIdErrors(gw, ["[]"]);
      expectError(empty ?? {}, -32600);
      await nextGood(gw);
      expect((await scene.shutdown(gw)).left).toEqual([]);
    },
    T,
  );

  for (const version of ["2025-06-18", "2025-11-25"])
    test(
      `${version} refuses a batch with one error`,
      async () => {
        scene.writeConfig({ servers: { good: healthy() } });
        const gw = await scene.gateway({ version });
        await gw.call("_good_connect");
        const [e] = await nullIdErrors(gw, [batch("r")]);
        expect(expectError(e ?? {}, -32600)).toContain(version);
        await nextGood(gw);
        expect([...gw.answers.keys()].some((id) => String(id).startsWith("r-"))).toBe(false);
        expect((await scene.shutdown(gw)).left).toEqual([]);
      },
      T,
    );
});
