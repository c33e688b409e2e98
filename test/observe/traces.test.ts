// Traces of a real gateway at an OTLP receiver: parent links client → gateway → backend, no secret.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { waitFor } from "../helpers/proc.ts";
import { textOf } from "../helpers/results.ts";
import { client, echoBackend, echoHttp, NO_OTEL, Scene } from "./harness.ts";
import { otlpReceiver, type ReceivedSpan } from "./otlp-receiver.ts";

const TOKEN = "trace-token-7e6d5c4b";
const SECRET_ENV = "trace-env-secret-2718";
const SERVER = 2;
const CLIENT = 3;

const traceId = () => crypto.getRandomValues(new Uint8Array(16)).toHex();
const spanId = () => crypto.getRandomValues(new Uint8Array(8)).toHex();
const parse = (tp: string) => {
  const [, trace = "", span = ""] = tp.split("-");
  return { trace, span };
};

/** What the echo backend saw: the `_meta` of its request, and over HTTP its trace headers. */
interface Seen {
  meta: Record<string, unknown> | null;
  headers?: { traceparent: string | null; tracestate: string | null };
}
const seen = (res: { result?: Record<string, unknown> }): Seen => JSON.parse(textOf(res)) as Seen;

describe("traces over OTLP/HTTP (protobuf)", () => {
  const scene = new Scene();
  const receiver = otlpReceiver();
  let remote: Awaited<ReturnType<typeof echoHttp>>;
  let url = "";
  const spansOf = (trace: string) => receiver.spans.filter((s) => s.traceId === trace);
  const wait = (trace: string, n: number) =>
    waitFor(() => spansOf(trace).length >= n, {
      timeout: 10_000,
      message: `${n} spans of ${trace}`,
    });

  beforeAll(async () => {
    remote = await echoHttp();
    scene.writeConfig({
      servers: {
        echo: { ...echoBackend(), env: { ECHO_SECRET: SECRET_ENV } },
        web: { url: remote.url, transport: "http", headers: { "x-api-key": SECRET_ENV } },
      },
      auth: { tokens: [{ token: TOKEN, role: "all" }] },
      roles: { all: null },
    });
    ({ url } = await scene.serve({
      env: {
        ...NO_OTEL,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: "50",
        OTEL_SERVICE_NAME: "gateway-under-test",
      },
    }));
  });
  afterAll(async () => {
    await scene.cleanup();
    await remote.stop();
    receiver.stop();
  });

  test("_meta traceparent: client → gateway SERVER span → CLIENT span → the backend's _meta", async () => {
    const mcp = await client(url, TOKEN);
    await mcp.call("_echo_connect");
    const trace = traceId();
    const parent = spanId();
    const res = await mcp.request("tools/call", {
      name: "echo_meta",
      arguments: {},
      _meta: { traceparent: `00-${trace}-${parent}-01`, tracestate: "vendor=1" },
    });
    const got = seen(res);
    const passed = parse(String(got.meta?.traceparent));
    expect(passed.trace).toBe(trace);
    expect(passed.span).not.toBe(parent);
    expect(got.meta?.tracestate).toBe("vendor=1");
    await wait(trace, 2);
    const server = spansOf(trace).find((s) => s.kind === SERVER) as ReceivedSpan;
    const clientSpan = spansOf(trace).find((s) => s.kind === CLIENT) as ReceivedSpan;
    expect(server.parentSpanId).toBe(parent);
    expect(clientSpan.parentSpanId).toBe(server.spanId);
    // The backend's own span would be a child of the gateway's CLIENT span.
    expect(passed.span).toBe(clientSpan.spanId);
    expect(server.name).toBe("tools/call echo_meta");
    expect(clientSpan.name).toBe("tools/call meta");
    expect(server.attributes).toMatchObject({
      "mcp.method.name": "tools/call",
      "gen_ai.tool.name": "echo_meta",
      "gen_ai.operation.name": "execute_tool",
      "mcp.protocol.version": "2025-06-18",
      "network.transport": "tcp",
      "mcp_gateway.server": "echo",
    });
    expect(typeof server.attributes["mcp.session.id"]).toBe("string");
    expect(clientSpan.attributes).toMatchObject({
      "mcp.method.name": "tools/call",
      "gen_ai.tool.name": "meta",
      "mcp_gateway.server": "echo",
    });
    expect(server.resource["service.name"]).toBe("gateway-under-test");
  });

  test("an HTTP traceparent header is the parent when _meta has none, a link when it has", async () => {
    const mcp = await client(url, TOKEN);
    const trace = traceId();
    const parent = spanId();
    const header = { traceparent: `00-${trace}-${parent}-01` };
    const id = mcp.id();
    const body = (meta?: object) =>
      JSON.stringify({
        jsonrpc: "2.0",
        id,
        method: "tools/call",
        params: { name: "echo_ok", arguments: {}, ...(meta ? { _meta: meta } : {}) },
      });
    await mcp.post(body(), { ids: [id], headers: header });
    await wait(trace, 2);
    const server = spansOf(trace).find((s) => s.kind === SERVER) as ReceivedSpan;
    expect(server.parentSpanId).toBe(parent);

    const metaTrace = traceId();
    const metaParent = spanId();
    await mcp.post(body({ traceparent: `00-${metaTrace}-${metaParent}-01` }), {
      ids: [id],
      headers: { traceparent: `00-${traceId()}-${spanId()}-01` },
    });
    await wait(metaTrace, 2);
    const linked = spansOf(metaTrace).find((s) => s.kind === SERVER) as ReceivedSpan;
    expect(linked.parentSpanId).toBe(metaParent);
    expect(linked.links).toHaveLength(1);
  });

  test("a remote backend gets the trace context in _meta and as W3C headers", async () => {
    const mcp = await client(url, TOKEN);
    await mcp.call("_web_connect");
    const trace = traceId();
    const res = await mcp.request("tools/call", {
      name: "web_meta",
      arguments: {},
      _meta: { traceparent: `00-${trace}-${spanId()}-01` },
    });
    const got = seen(res);
    expect(parse(String(got.meta?.traceparent)).trace).toBe(trace);
    expect(got.headers?.traceparent).toBe(got.meta?.traceparent as string);
    await wait(trace, 2);
    const clientSpan = spansOf(trace).find((s) => s.kind === CLIENT) as ReceivedSpan;
    expect(parse(String(got.headers?.traceparent)).span).toBe(clientSpan.spanId);
  });

  test("errors: a JSON-RPC error sets error.type and the status; a request with no trace starts one", async () => {
    const mcp = await client(url, TOKEN);
    const before = receiver.spans.length;
    expect((await mcp.call("echo_boom")).error?.code).toBe(-32000);
    await waitFor(
      () => receiver.spans.slice(before).some((s) => s.name === "tools/call echo_boom"),
      { timeout: 10_000, message: "the boom span" },
    );
    const server = receiver.spans
      .slice(before)
      .find((s) => s.name === "tools/call echo_boom") as ReceivedSpan;
    expect(server.parentSpanId).toBe("");
    expect(server.attributes["error.type"]).toBe("-32000");
    expect(server.attributes["rpc.response.status_code"]).toBe("-32000");
    expect(server.status.code).toBe(2);
    expect(server.status.message).toBe("boom requested");
    const clientSpan = receiver.spans.find(
      (s) => s.traceId === server.traceId && s.kind === CLIENT,
    );
    expect(clientSpan?.parentSpanId).toBe(server.spanId);
  });

  test("no token, env value or header value in any exported span", () => {
    expect(receiver.bodies.length).toBeGreaterThan(0);
    for (const body of receiver.bodies) {
      expect(body).not.toContain(TOKEN);
      expect(body).not.toContain(SECRET_ENV);
    }
  });
});

describe("traces elsewhere", () => {
  const scene = new Scene();
  afterAll(() => scene.cleanup());

  test("stdio with OTEL_EXPORTER_OTLP_PROTOCOL=http/json: spans arrive as OTLP JSON", async () => {
    const receiver = otlpReceiver();
    try {
      scene.writeConfig({ servers: { echo: echoBackend() } });
      const gw = await scene.gateway({
        env: {
          ...NO_OTEL,
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
          OTEL_BSP_SCHEDULE_DELAY: "50",
        },
      });
      await gw.call("_echo_connect");
      const trace = traceId();
      const parent = spanId();
      await gw.request("tools/call", {
        name: "echo_ok",
        arguments: {},
        _meta: { traceparent: `00-${trace}-${parent}-01` },
      });
      await waitFor(() => receiver.spans.filter((s) => s.traceId === trace).length >= 2, {
        timeout: 10_000,
        message: "two spans as JSON",
      });
      expect(receiver.contentTypes.every((t) => t.includes("application/json"))).toBe(true);
      const server = receiver.spans.find((s) => s.traceId === trace && s.kind === SERVER);
      expect(server?.parentSpanId).toBe(parent);
      expect(server?.attributes["network.transport"]).toBe("pipe");
      const { left } = await scene.shutdown(gw);
      expect(left).toEqual([]);
    } finally {
      receiver.stop();
    }
  });

  test("with no OTEL_* variable the gateway is transparent: the client's traceparent reaches the backend as sent", async () => {
    scene.writeConfig({ servers: { echo: echoBackend() } });
    const gw = await scene.gateway({ env: NO_OTEL });
    await gw.call("_echo_connect");
    const tp = `00-${traceId()}-${spanId()}-01`;
    const res = await gw.request("tools/call", {
      name: "echo_meta",
      arguments: {},
      _meta: { traceparent: tp },
    });
    expect(seen(res).meta?.traceparent).toBe(tp);
    const { left } = await scene.shutdown(gw);
    expect(left).toEqual([]);
  });
});
