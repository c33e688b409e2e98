// A real Prometheus scrapes a real gateway; its query API returns the gateway's call counters.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { killTree, waitFor } from "../helpers/proc.ts";
import { client, fixture, NO_OTEL, Scene } from "./harness.ts";

const TOKEN = "prometheus-scrape-token-42";
const PROMETHEUS = Bun.which("prometheus");

interface QueryResult {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

describe("a real Prometheus scrapes the gateway", () => {
  const scene = new Scene();
  let prometheus: Bun.Subprocess<"ignore", "ignore", "pipe"> | undefined;
  let api = "";
  let url = "";
  let log = "";

  /** One instant query's first sample value, or undefined while Prometheus has none. */
  const query = async (promql: string): Promise<number | undefined> => {
    const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as QueryResult;
    const v = body.data.result[0]?.value[1];
    return v === undefined ? undefined : Number(v);
  };

  beforeAll(async () => {
    if (!PROMETHEUS)
      throw new Error(
        "prometheus is not installed: `bash .ci/run` installs it (apt-get install prometheus)",
      );
    scene.writeConfig({
      servers: { fx: fixture() },
      auth: { tokens: [{ token: TOKEN, role: "all" }] },
      roles: { all: null },
    });
    ({ url } = await scene.serve({ env: NO_OTEL }));
    const target = new URL(url).host;
    const dir = join(scene.dir.path, "prometheus");
    mkdirSync(dir, { recursive: true });
    const config = join(dir, "prometheus.yml");
    writeFileSync(
      config,
      [
        "global:",
        "  scrape_interval: 1s",
        "  scrape_timeout: 900ms",
        "scrape_configs:",
        "  - job_name: mcp-gateway",
        "    authorization:",
        `      credentials: ${TOKEN}`,
        "    static_configs:",
        `      - targets: ["${target}"]`,
        "",
      ].join("\n"),
    );
    prometheus = Bun.spawn(
      [
        PROMETHEUS,
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        "--web.listen-address=127.0.0.1:0",
      ],
      { stdin: "ignore", stdout: "ignore", stderr: "pipe" },
    );
    const reader = prometheus.stderr.getReader();
    void (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        log += new TextDecoder().decode(value);
      }
    })();
    // Port 0: Prometheus says which port it got.
    const port = await waitFor(
      () => /msg="Listening on" address=127\.0\.0\.1:(\d+)/.exec(log)?.[1],
      { timeout: 20_000, message: "Prometheus to listen" },
    );
    api = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    if (prometheus) {
      await killTree(prometheus.pid).catch(() => {});
      await prometheus.exited;
    }
    await scene.cleanup();
  });

  test("its query API returns the call counters after calls", async () => {
    const up = async () => (await query('up{job="mcp-gateway"}')) === 1;
    await waitFor(up, {
      timeout: 30_000,
      message: `the target to be up; log: ${log.slice(-1500)}`,
    });
    const mcp = await client(url, TOKEN);
    await mcp.call("_fx_connect");
    for (let i = 0; i < 5; i++) await mcp.call("fx_echo", { text: `call ${i}` });
    await mcp.call("fx_fail");
    await waitFor(
      async () =>
        (await query('mcp_gateway_tool_calls_total{server="fx",tool="fx_echo",outcome="ok"}')) ===
        5,
      { timeout: 30_000, message: "Prometheus to have scraped 5 fx_echo calls" },
    );
    expect(await query('mcp_gateway_tool_calls_total{tool="fx_fail",outcome="tool_error"}')).toBe(
      1,
    );
    expect(await query('mcp_gateway_tool_call_duration_seconds_count{tool="fx_echo"}')).toBe(5);
    expect(await query('mcp_gateway_backend_starts_total{server="fx"}')).toBe(1);
    expect(await query('mcp_gateway_backend_state{server="fx",state="running"}')).toBe(1);
    expect(await query("process_resident_memory_bytes")).toBeGreaterThan(0);
    // Every scrape was clean: no target error in Prometheus's own view.
    const targets = (await (await fetch(`${api}/api/v1/targets`)).json()) as {
      data: { activeTargets: { health: string; lastError: string }[] };
    };
    expect(targets.data.activeTargets.map((t) => [t.health, t.lastError])).toEqual([["up", ""]]);
  });
});
