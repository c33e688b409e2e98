// share: per_session in /metrics: one series per server, never per session (bounded labels):
// every session's process counts in the server's starts and stops (reason "session" when its
// session ends), and mcp_gateway_backend_processes says how many it has now.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { waitFor } from "../helpers/proc.ts";
import { sample, scrape } from "../observe/harness.ts";
import { Scene, text } from "./harness.ts";

let scene: Scene;
beforeEach(() => {
  scene = new Scene();
});
afterEach(async () => {
  await scene.cleanup();
});

describe("metrics of a per_session server", () => {
  test("processes, starts and stops under the server's name only", async () => {
    const gw = scene.gateway({ servers: { fx: scene.fixture([], { share: "per_session" }) } });
    const { url } = await gw.serveHttp({ port: 0 });
    const a = await scene.client(gw, "A");
    const b = await scene.client(gw, "B");
    // Cold calls: each session's own process discovers the server (no discovery process).
    expect(text(await a.call("fx_echo", { text: "a" }))).toBe("a");
    expect(text(await b.call("fx_echo", { text: "b" }))).toBe("b");
    let m = await scrape(url);
    expect(sample(m, "mcp_gateway_backend_processes", { server: "fx" })).toBe(2);
    expect(sample(m, "mcp_gateway_backend_starts_total", { server: "fx" })).toBe(2);
    expect(sample(m, "mcp_gateway_backend_state", { server: "fx", state: "running" })).toBe(1);
    expect(m).not.toContain("client #");
    a.close();
    await a.served;
    await waitFor(
      async () =>
        sample(await scrape(url), "mcp_gateway_backend_stops_total", {
          server: "fx",
          reason: "session",
        }) === 1,
      { message: "a session stop counted" },
    );
    m = await scrape(url);
    expect(sample(m, "mcp_gateway_backend_processes", { server: "fx" })).toBe(1);
    expect(sample(m, "mcp_gateway_backend_state", { server: "fx", state: "running" })).toBe(1);
  }, 30_000);
});
