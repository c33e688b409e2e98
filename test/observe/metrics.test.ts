// GET /metrics of real gateway processes: every metric family, formats, auth, scopes, no secret.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { waitFor } from "../helpers/proc.ts";
import { echoBackend, fixture, get, NO_OTEL, Scene, sample, scrape } from "./harness.ts";

const ADMIN = "admin-token-5f2c9d1e";
const LIMITED = "limited-token-8a7b6c5d";
const SECRET_ENV = "env-secret-value-31415";
const auth = { authorization: `Bearer ${ADMIN}` };

describe("metrics on the HTTP front", () => {
  const scene = new Scene();
  let url = "";
  let mcp: Awaited<ReturnType<typeof import("./harness.ts").client>>;
  const calls = (tool: string, outcome: string) => async () =>
    sample(await scrape(url, auth), "mcp_gateway_tool_calls_total", { tool, outcome }) ?? 0;

  beforeAll(async () => {
    scene.writeConfig({
      servers: {
        fx: { ...fixture(), call_timeout: 1, env: { FIXTURE_SECRET: SECRET_ENV } },
        echo: echoBackend(),
        idler: { ...echoBackend(), idle_timeout: 1 },
      },
      roles: { admin: null, limited: ["echo_*"] },
      auth: {
        tokens: [
          { token: ADMIN, role: "admin", label: "alice" },
          { token: LIMITED, role: "limited" },
        ],
      },
      http: { max_body_bytes: 65536 },
    });
    ({ url } = await scene.serve({ env: NO_OTEL }));
    const { client } = await import("./harness.ts");
    mcp = await client(url, ADMIN);
    for (const name of ["_fx_connect", "_echo_connect"])
      expect((await mcp.call(name)).result?.isError).toBeUndefined();
  });
  afterAll(() => scene.cleanup());

  test("tool calls are counted by server, tool and outcome, with a duration histogram", async () => {
    for (let i = 0; i < 3; i++) await mcp.call("fx_echo", { text: "hi" });
    await mcp.call("fx_fail");
    expect((await mcp.call("echo_boom")).error?.code).toBe(-32000);
    const text = await scrape(url, auth);
    expect(
      sample(text, "mcp_gateway_tool_calls_total", {
        server: "fx",
        tool: "fx_echo",
        outcome: "ok",
      }),
    ).toBe(3);
    expect(
      sample(text, "mcp_gateway_tool_calls_total", { tool: "fx_fail", outcome: "tool_error" }),
    ).toBe(1);
    expect(
      sample(text, "mcp_gateway_tool_calls_total", {
        server: "echo",
        tool: "echo_boom",
        outcome: "protocol_error",
      }),
    ).toBe(1);
    expect(
      sample(text, "mcp_gateway_tool_call_duration_seconds_count", {
        server: "fx",
        tool: "fx_echo",
      }),
    ).toBe(3);
    expect(
      sample(text, "mcp_gateway_tool_call_duration_seconds_bucket", {
        tool: "fx_echo",
        le: "+Inf",
      }),
    ).toBe(3);
    // The placeholder that started each server counts as the call it was.
    expect(
      sample(text, "mcp_gateway_tool_calls_total", {
        server: "fx",
        tool: "_fx_connect",
        outcome: "ok",
      }),
    ).toBe(1);
  });

  test("a call past call_timeout counts as timeout, a cancelled one as cancelled", async () => {
    expect((await mcp.call("fx_hang", {}, 10_000)).result?.isError).toBe(true);
    await waitFor(async () => (await calls("fx_hang", "timeout")()) === 1, {
      timeout: 5000,
      message: "timeout counted",
    });
    const id = mcp.id();
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name: "fx_slow", arguments: { ms: 800 } },
    });
    const pending = mcp.post(body, { ids: [id], timeout: 5000 });
    await waitFor(
      async () =>
        sample(await scrape(url, auth), "mcp_gateway_backend_in_flight", { server: "fx" }) === 1,
      {
        timeout: 5000,
        message: "the slow call in flight",
      },
    );
    await mcp.notify("notifications/cancelled", { requestId: id, reason: "test" });
    await pending;
    await waitFor(async () => (await calls("fx_slow", "cancelled")()) === 1, {
      timeout: 5000,
      message: "cancel counted",
    });
    expect(await calls("fx_slow", "ok")()).toBe(0);
  });

  test("prompt gets and resource reads, labelled by listed URI or the template matched", async () => {
    expect(
      (await mcp.request("prompts/get", { name: "fx_greet", arguments: { name: "x" } })).result,
    ).toBeDefined();
    expect((await mcp.request("resources/read", { uri: "fixture://static" })).result).toBeDefined();
    for (const n of [1, 2]) await mcp.request("resources/read", { uri: `fixture://item/${n}` });
    const text = await scrape(url, auth);
    expect(
      sample(text, "mcp_gateway_prompt_gets_total", {
        server: "fx",
        prompt: "fx_greet",
        outcome: "ok",
      }),
    ).toBe(1);
    expect(
      sample(text, "mcp_gateway_resource_reads_total", {
        resource: "fixture://static",
        outcome: "ok",
      }),
    ).toBe(1);
    expect(
      sample(text, "mcp_gateway_resource_reads_total", {
        resource: "fixture://item/{id}",
        outcome: "ok",
      }),
    ).toBe(2);
    expect(text).not.toContain('resource="fixture://item/1"');
  });

  test("a crash counts as backend_error and a crash stop; the next call restarts the backend", async () => {
    expect((await mcp.call("fx_crash", { code: 3 })).result?.isError).toBe(true);
    expect((await mcp.call("fx_echo", { text: "again" })).result?.isError).toBeUndefined();
    const text = await scrape(url, auth);
    expect(
      sample(text, "mcp_gateway_tool_calls_total", { tool: "fx_crash", outcome: "backend_error" }),
    ).toBe(1);
    expect(sample(text, "mcp_gateway_backend_stops_total", { server: "fx", reason: "crash" })).toBe(
      1,
    );
    expect(sample(text, "mcp_gateway_backend_starts_total", { server: "fx" })).toBe(2);
    expect(sample(text, "mcp_gateway_backend_restarts_total", { server: "fx" })).toBe(1);
    expect(sample(text, "mcp_gateway_backend_start_duration_seconds_count", { server: "fx" })).toBe(
      2,
    );
    expect(sample(text, "mcp_gateway_backend_state", { server: "fx", state: "running" })).toBe(1);
    expect(sample(text, "mcp_gateway_backend_state", { server: "fx", state: "stopped" })).toBe(0);
  });

  test("a backend idle past its idle_timeout stops with reason idle", async () => {
    await mcp.call("_idler_connect");
    await waitFor(
      async () =>
        sample(await scrape(url, auth), "mcp_gateway_backend_stops_total", {
          server: "idler",
          reason: "idle",
        }) === 1,
      { timeout: 8000, message: "an idle stop counted" },
    );
    // Stopping takes a moment (stdin closed, the process waited for); then the state says so.
    await waitFor(
      async () =>
        sample(await scrape(url, auth), "mcp_gateway_backend_state", {
          server: "idler",
          state: "stopped",
        }) === 1,
      { timeout: 8000, message: "the idle backend stopped" },
    );
    const text = await scrape(url, auth);
    expect(
      sample(text, "mcp_gateway_backend_stops_total", { server: "idler", reason: "crash" }),
    ).toBe(undefined);
  });

  test("refusals by reason: auth, origin, size, role", async () => {
    expect((await get(url, "/metrics")).status).toBe(401);
    expect((await get(url, "/status", { ...auth, origin: "http://evil.example" })).status).toBe(
      403,
    );
    const big = await fetch(url, {
      method: "POST",
      headers: { ...mcp.headers(), ...auth },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 999,
        method: "ping",
        params: { pad: "x".repeat(70_000) },
      }),
    });
    expect(big.status).toBe(413);
    const { client } = await import("./harness.ts");
    const limited = await client(url, LIMITED);
    expect((await limited.call("fx_echo", { text: "hidden" })).error?.code).toBe(-32602);
    const text = await scrape(url, auth);
    for (const reason of ["auth", "origin", "size", "role"])
      expect(sample(text, "mcp_gateway_requests_refused_total", { reason })).toBeGreaterThanOrEqual(
        1,
      );
    expect(
      sample(text, "mcp_gateway_sessions_opened_total", { front: "http", era: "legacy" }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sample(text, "mcp_gateway_sessions_active", { front: "http", era: "legacy" }),
    ).toBeGreaterThanOrEqual(2);
  });

  test("a restricted role scrapes only the series of what it can see", async () => {
    const text = await scrape(url, { authorization: `Bearer ${LIMITED}` });
    expect(text).toContain('server="echo"');
    expect(text).not.toContain('server="fx"');
    expect(text).not.toContain("fx_echo");
    expect(text).toContain("process_resident_memory_bytes");
  });

  test("OpenMetrics when Accept prefers it, the text format otherwise", async () => {
    const om = await get(url, "/metrics", {
      ...auth,
      accept: "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    });
    expect(om.headers.get("content-type")).toStartWith(
      "application/openmetrics-text; version=1.0.0",
    );
    const omText = await om.text();
    expect(omText).toContain("# TYPE mcp_gateway_tool_calls counter");
    expect(omText.trimEnd().endsWith("# EOF")).toBe(true);
    // The text format right after keeps the counters' _total names (OpenMetrics renames them).
    const plain = await get(url, "/metrics", auth);
    expect(plain.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
    const plainText = await plain.text();
    expect(plainText).toContain("# TYPE mcp_gateway_tool_calls_total counter");
    expect(plainText).not.toContain("# EOF");
  });

  test("process metrics: CPU, RSS, open fds, event-loop lag; nothing that reads 0 under Bun", async () => {
    const text = await scrape(url, auth);
    for (const name of [
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "process_open_fds",
      "nodejs_eventloop_lag_seconds",
    ])
      expect(sample(text, name)).toBeGreaterThanOrEqual(0);
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(1_000_000);
    expect(text).not.toContain("nodejs_active_handles");
    expect(text).toContain('mcp_gateway_info{version="');
  });

  test("no token or env value in the metrics", async () => {
    const text = await scrape(url, auth);
    for (const secret of [ADMIN, LIMITED, SECRET_ENV]) expect(text).not.toContain(secret);
  });
});

describe("metrics elsewhere", () => {
  const scene = new Scene();
  afterAll(() => scene.cleanup());

  test("metrics: false: /metrics is 404 and /status still answers", async () => {
    scene.writeConfig({ metrics: false, servers: { echo: echoBackend() } });
    const { url, proc } = await scene.serve({ env: NO_OTEL });
    expect((await get(url, "/metrics")).status).toBe(404);
    expect((await get(url, "/status")).status).toBe(200);
    expect((await scene.shutdown(proc, 10_000, "SIGTERM")).left).toEqual([]);
  });

  test("tool search: searches, and the bytes of lists served in search mode vs the full lists", async () => {
    scene.writeConfig({ servers: { fx: fixture() }, tool_search: { mode: "on" } });
    const { url, proc } = await scene.serve({ env: NO_OTEL });
    const { client } = await import("./harness.ts");
    const mcp = await client(url);
    const found = await mcp.call("gateway_search_tools", { query: "echo the text back" });
    expect(found.result?.isError).toBeUndefined();
    await mcp.request("tools/list");
    const text = await scrape(url);
    expect(sample(text, "mcp_gateway_tool_search_searches_total")).toBe(1);
    expect(
      sample(text, "mcp_gateway_tool_calls_total", {
        server: "_gateway",
        tool: "gateway_search_tools",
        outcome: "ok",
      }),
    ).toBe(1);
    const served =
      sample(text, "mcp_gateway_tool_search_list_bytes_total", { list: "served" }) ?? 0;
    const full = sample(text, "mcp_gateway_tool_search_list_bytes_total", { list: "full" }) ?? 0;
    expect(served).toBeGreaterThan(0);
    expect(full).toBeGreaterThan(served);
    expect((await scene.shutdown(proc, 10_000, "SIGTERM")).left).toEqual([]);
  });

  test("a reload that removes a running server stops it with reason reload; its gauges go", async () => {
    scene.writeConfig({ servers: { echo: echoBackend(), other: echoBackend() } });
    const { url, proc } = await scene.serve({ env: NO_OTEL });
    const { client } = await import("./harness.ts");
    const mcp = await client(url);
    await mcp.call("_echo_connect");
    scene.writeConfig({ servers: { other: echoBackend() } });
    proc.kill("SIGHUP");
    await waitFor(
      async () =>
        sample(await scrape(url), "mcp_gateway_backend_stops_total", {
          server: "echo",
          reason: "reload",
        }) === 1,
      { timeout: 10_000, message: "a reload stop counted" },
    );
    const text = await scrape(url);
    expect(text).not.toContain('mcp_gateway_backend_state{server="echo"');
    expect(sample(text, "mcp_gateway_backend_state", { server: "other", state: "stopped" })).toBe(
      1,
    );
    expect((await scene.shutdown(proc, 10_000, "SIGTERM")).left).toEqual([]);
  });

  test("stdio --metrics-port serves /metrics and /status on 127.0.0.1, modern requests count as their era", async () => {
    scene.writeConfig({ servers: { echo: echoBackend() } });
    const gw = await scene.gateway({ args: ["--metrics-port", "0"], env: NO_OTEL });
    const base = await gw.until(
      () =>
        /serving \/metrics and \/status at (http:\/\/127\.0\.0\.1:\d+)/.exec(gw.stderrText())?.[1],
      "the metrics port",
    );
    await gw.call("_echo_connect");
    await gw.call("echo_ok");
    const modern = await gw.request("tools/call", {
      name: "echo_ok",
      arguments: {},
      _meta: {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
      },
    });
    expect(modern.result?.content).toBeDefined();
    const text = await scrape(`${base}/mcp`);
    expect(
      sample(text, "mcp_gateway_tool_calls_total", {
        server: "echo",
        tool: "echo_ok",
        outcome: "ok",
      }),
    ).toBe(2);
    expect(
      sample(text, "mcp_gateway_sessions_opened_total", { front: "stdio", era: "legacy" }),
    ).toBe(1);
    expect(
      sample(text, "mcp_gateway_sessions_opened_total", { front: "stdio", era: "modern" }),
    ).toBe(1);
    expect(sample(text, "mcp_gateway_sessions_active", { front: "stdio", era: "modern" })).toBe(0);
    expect((await get(`${base}/mcp`, "/status")).status).toBe(200);
    // Only the ops routes: no MCP endpoint on the metrics port.
    expect((await fetch(`${base}/mcp`, { method: "POST", body: "{}" })).status).toBe(404);
    const { left } = await scene.shutdown(gw);
    expect(left).toEqual([]);
  });
});
