// Issue 7, bad client input on the legacy HTTP+SSE front (GET /sse, POST /messages): a body the
// front cannot take is refused with an HTTP error and a JSON-RPC error; one it takes is answered
// on the session's stream; either way the next good request of that session succeeds.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { isAlive, waitFor } from "../helpers/proc.ts";
import { textOf } from "../helpers/results.ts";
import type { Message, RawClient } from "./raw.ts";
import { healthy, Scene } from "./scene.ts";
import { SseClient } from "./sse-client.ts";

const T = 30_000;

async function nextGood(c: SseClient): Promise<void> {
  const text = `good ${c.id()}`;
  expect(textOf(await c.call("good_echo", { text }))).toBe(text);
}

/** A refused POST: an HTTP error status and a JSON-RPC error body. */
function refused(r: { status: number; text: string }, status: number): string {
  expect(r.status).toBe(status);
  const body = JSON.parse(r.text) as Message;
  expect(typeof body.error?.code).toBe("number");
  return body.error?.message ?? "";
}

describe("legacy SSE, role hiding server secret", () => {
  const scene = new Scene();
  let gw: RawClient;
  let base = "";
  let c: SseClient;

  beforeAll(async () => {
    scene.writeConfig({
      call_timeout: 60,
      roles: { client: ["good_*", "gateway_status"] },
      servers: { good: healthy(), secret: healthy() },
    });
    const served = await scene.serve({ args: ["--role", "client"] });
    gw = served.proc;
    base = served.url.replace(/\/mcp$/, "");
    c = new SseClient(base);
    await c.open();
    await c.initialize();
    expect(textOf(await c.call("_good_connect"))).toContain("good_echo");
  }, T);
  afterAll(async () => {
    c.close();
    const { code, left } = await scene.shutdown(gw, 15_000, "SIGTERM");
    expect({ code, left }).toEqual({ code: 0, left: [] });
    await scene.cleanup();
  }, T);

  test("malformed JSON and invalid UTF-8: 400 with a parse error", async () => {
    for (const body of ["{not json", '{"jsonrpc":', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])])
      refused(await c.post(body), 400);
    await nextGood(c);
  });

  test("non-objects and unknown methods: errors on the stream", async () => {
    const before = c.answers.get(null)?.length ?? 0;
    for (const body of ["42", "null", '"text"']) expect((await c.post(body)).status).toBe(202);
    await c.until(() => (c.answers.get(null)?.length ?? 0) >= before + 3, "3 errors with id null");
    await c.send({ id: "unk", method: "foo/bar" });
    expect((await c.response("unk")).error?.code).toBe(-32601);
    await c.send({ id: "badp", method: "tools/call", params: { name: 5 } });
    expect((await c.response("badp")).error?.code).toBe(-32602);
    await nextGood(c);
  });

  test("a batch under 2024-11-05 is refused with one error", async () => {
    const before = c.answers.get(null)?.length ?? 0;
    const batch = JSON.stringify([
      { jsonrpc: "2.0", id: "sb1", method: "ping" },
      { jsonrpc: "2.0", id: "sb2", method: "ping" },
    ]);
    expect((await c.post(batch)).status).toBe(202);
    const errors = await c.until(
      () => (c.answers.get(null)?.length ?? 0) > before && c.answers.get(null),
      "the batch error",
    );
    expect(errors.at(-1)?.error?.message).toContain("batch");
    await nextGood(c);
    expect(c.answers.has("sb1") || c.answers.has("sb2")).toBe(false);
  });

  test("a 2025-03-26 session answers a batch as one array", async () => {
    const old = new SseClient(base);
    await old.open();
    await old.initialize("2025-03-26");
    const batch = JSON.stringify([
      { jsonrpc: "2.0", id: "ob1", method: "ping" },
      {
        jsonrpc: "2.0",
        id: "ob2",
        method: "tools/call",
        params: { name: "good_echo", arguments: { text: "o" } },
      },
    ]);
    expect((await old.post(batch)).status).toBe(202);
    expect(textOf(await old.response("ob2"))).toBe("o");
    expect((await old.response("ob1")).result).toEqual({});
    old.close();
  });

  test("an oversized body: 413; no or unknown sessionId: 400 and 404", async () => {
    const big = JSON.stringify({
      jsonrpc: "2.0",
      id: "big",
      method: "tools/call",
      params: { name: "good_echo", arguments: { text: "a".repeat(5 * 1024 * 1024) } },
    });
    expect(refused(await c.post(big), 413)).toContain("max_body_bytes");
    refused(await c.post('{"jsonrpc":"2.0","id":1,"method":"ping"}', `${base}/messages`), 400);
    refused(
      await c.post('{"jsonrpc":"2.0","id":1,"method":"ping"}', `${base}/messages?sessionId=nope`),
      404,
    );
    await nextGood(c);
  });

  test("a reused in-flight id gets an error, the original one answer", async () => {
    await c.send({
      id: "re",
      method: "tools/call",
      params: { name: "good_slow", arguments: { ms: 500 } },
    });
    await c.send({ id: "re", method: "ping" });
    expect((await c.response("re")).error?.message).toContain("in flight");
    await c.until(() => (c.answers.get("re")?.length ?? 0) >= 2, "the original's answer");
    expect(textOf(c.answers.get("re")?.[1] ?? {})).toBe("slept 500 ms");
    await nextGood(c);
  });

  test("a hidden tool answers like an unknown one", async () => {
    await c.send({ id: "hid", method: "tools/call", params: { name: "secret_echo" } });
    expect((await c.response("hid")).error).toEqual({
      code: -32602,
      message: "Unknown tool: secret_echo",
    });
    expect(scene.starts().length).toBe(1);
    await nextGood(c);
  });

  test("a client that drops its stream mid-call: the call is cancelled, the gateway serves on", async () => {
    const gone = new SseClient(base);
    await gone.open();
    await gone.initialize();
    await gone.send({
      id: "left",
      method: "tools/call",
      params: { name: "good_slow", arguments: { ms: 5000 } },
    });
    await Bun.sleep(200);
    gone.close();
    await waitFor(() => /cancelled \d+/.test(gw.stderrText()), { message: "the backend told" });
    expect(isAlive(gw.pid)).toBe(true);
    await nextGood(c);
  });
});
