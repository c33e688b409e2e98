// The eras bridged both ways, with the SDK's own v2 clients: a legacy backend's requests reach a
// modern client as input_required (and its retry completes the call); a modern backend's
// input_required reaches a legacy client as real requests; both eras on one endpoint at once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type EraGateway, modernPost, startGateway, textOf } from "./harness.ts";

const A = "era-token-a-0123456789";
const B = "era-token-b-0123456789";
let g: EraGateway;

beforeAll(async () => {
  g = await startGateway([A, B]);
}, 60_000);
afterAll(async () => {
  await g.close();
});

describe("legacy backend, modern client", () => {
  test("the backend's sampling request is an input_required round; the retry completes the call", async () => {
    const { client, asked } = await connect(g.url, "modern", { token: A });
    const res = await client.callTool({ name: "legacy_test_input_required_result_sampling" });
    expect(textOf(res)).toBe("Sampled: Paris");
    expect(asked.sampling).toBe(1);
    await client.close();
  }, 30_000);

  test("two requests in a row: two rounds; three at once: one round", async () => {
    const { client, asked } = await connect(g.url, "modern", { token: A });
    const multi = await client.callTool({ name: "legacy_test_input_required_result_multi_round" });
    expect(textOf(multi)).toBe("name=Alice, then name=Alice");
    expect(asked.elicitation).toBe(2);
    const all = await client.callTool({
      name: "legacy_test_input_required_result_multiple_inputs",
    });
    expect(textOf(all)).toContain("name=Alice; Paris; roots=");
    expect([asked.elicitation, asked.sampling, asked.roots]).toEqual([3, 1, 1]);
    await client.close();
  }, 30_000);

  test("the request state is sealed: tampered or presented by another token, it is refused", async () => {
    const tool = { name: "legacy_test_input_required_result_elicitation", arguments: {} };
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    const meta = { "io.modelcontextprotocol/clientCapabilities": { elicitation: {} } };
    const first = await modernPost(g.url, 1, "tools/call", tool, { headers: auth(A), meta });
    const result = first.body.result as Record<string, unknown>;
    expect(result.resultType).toBe("input_required");
    const requests = result.inputRequests as Record<string, { method: string }>;
    const [key] = Object.keys(requests);
    expect(requests[key ?? ""]?.method).toBe("elicitation/create");
    const state = String(result.requestState);
    const answer = { [key ?? ""]: { action: "accept", content: { name: "Bob" } } };
    const retry = (token: string, requestState: string, id: number) =>
      modernPost(
        g.url,
        id,
        "tools/call",
        { ...tool, inputResponses: answer, requestState },
        { headers: auth(token), meta },
      );
    const tampered = await retry(A, `${state.slice(0, -2)}xx`, 2);
    expect((tampered.body.error as { code: number }).code).toBe(-32602);
    const stolen = await retry(B, state, 3);
    expect((stolen.body.error as { message: string }).message).toContain("another caller");
    const genuine = await retry(A, state, 4);
    expect((genuine.body.result as { content: unknown[] }).content).toEqual([
      { type: "text", text: "Hello, name=Bob" },
    ]);
  }, 30_000);

  test("a client without the capability the backend asks for: -32021 with HTTP 400", async () => {
    const res = await modernPost(
      g.url,
      9,
      "tools/call",
      { name: "legacy_test_missing_capability", arguments: {} },
      { headers: { authorization: `Bearer ${A}` } },
    );
    expect(res.status).toBe(400);
    const error = res.body.error as { code: number; data: unknown };
    expect(error.code).toBe(-32021);
    expect(error.data).toEqual({ requiredCapabilities: { sampling: {} } });
  }, 30_000);
});

describe("modern backend, legacy client", () => {
  test("the backend's input_required reaches the client as real requests; the gateway retries", async () => {
    const { client, asked } = await connect(g.url, "legacy", { token: A });
    const res = await client.callTool({ name: "dual_test_input_required_result_elicitation" });
    expect(JSON.stringify(res.content)).toContain("Alice");
    expect(asked.elicitation).toBe(1);
    const rounds = await client.callTool({ name: "dual_test_input_required_result_multi_round" });
    expect(JSON.stringify(rounds.content)).toContain("teal");
    expect(asked.elicitation).toBe(3);
    await client.close();
  }, 30_000);
});

describe("both eras on one endpoint", () => {
  // Each backend gets one client's sampling at a time: a shared stdio backend's own requests are
  // routed by a heuristic when two clients drive them at once (README; `share: per_session`).
  test("a legacy and a modern client at once, both bridges working side by side", async () => {
    const [legacy, modern] = await Promise.all([
      connect(g.url, "legacy", { token: A }),
      connect(g.url, "modern", { token: B }),
    ]);
    const simple = [legacy, modern].flatMap(({ client }) =>
      ["legacy", "dual"].map((server) => client.callTool({ name: `${server}_test_simple_text` })),
    );
    for (const r of await Promise.all(simple)) expect(textOf(r)).toContain("simple text");
    const sampled = await Promise.all([
      legacy.client.callTool({ name: "dual_test_input_required_result_sampling" }),
      modern.client.callTool({ name: "legacy_test_input_required_result_sampling" }),
    ]);
    for (const r of sampled) expect(JSON.stringify(r.content)).toContain("Paris");
    expect([legacy.asked.sampling, modern.asked.sampling]).toEqual([1, 1]);
    await Promise.all([legacy.client.close(), modern.client.close()]);
  }, 60_000);

  test("list changes cross eras: a modern listener hears a legacy backend, a legacy session a modern one", async () => {
    const [legacy, modern] = await Promise.all([
      connect(g.url, "legacy", { token: A }),
      connect(g.url, "modern", { token: B }),
    ]);
    const heard = { legacy: 0, modern: 0 };
    legacy.client.setNotificationHandler("notifications/tools/list_changed", () => {
      heard.legacy++;
    });
    modern.client.setNotificationHandler("notifications/tools/list_changed", () => {
      heard.modern++;
    });
    const stream = await modern.client.listen({ toolsListChanged: true });
    await legacy.client.callTool({ name: "legacy_test_trigger_tool_change" });
    await legacy.client.callTool({ name: "dual_test_trigger_tool_change" });
    const deadline = Date.now() + 10_000;
    while ((heard.legacy < 2 || heard.modern < 2) && Date.now() < deadline) await Bun.sleep(20);
    expect(heard.modern).toBeGreaterThanOrEqual(2);
    expect(heard.legacy).toBeGreaterThanOrEqual(2);
    await stream.close();
    await Promise.all([legacy.client.close(), modern.client.close()]);
  }, 60_000);
});
