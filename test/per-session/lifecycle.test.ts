// share: per_session, the life of each session's process: started by the session's first
// request, stopped when the session ends (a stdio client leaving, an HTTP session deleted, a
// legacy SSE stream closed), when idle, and at gateway exit; never an orphan (the fixture leaves
// a grandchild that ignores SIGTERM in its group). Checked in /proc.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { sseClient } from "../front/http-harness.ts";
import { descendants, isAlive, waitFor } from "../helpers/proc.ts";
import { callTool } from "../helpers/sdk.ts";
import { gone, Scene, text } from "./harness.ts";

let scene: Scene;
beforeEach(() => {
  scene = new Scene();
});
afterEach(async () => {
  await scene.cleanup();
});

const STUBBORN = ["--grandchild", "--ignore-sigterm"];
const perSession = (extra: Record<string, unknown> = {}) => ({
  servers: { fx: scene.fixture(STUBBORN, { share: "per_session", ...extra }) },
});

/** The fixture process of `pid` and the grandchild it started, once that one runs. */
async function family(pid: number): Promise<number[]> {
  const kids = await waitFor(() => descendants(pid).length > 0 && descendants(pid), {
    message: `the grandchild of ${pid}`,
  });
  return [pid, ...kids];
}

const pidText = (r: Record<string, unknown>) =>
  Number((r.content as { text?: string }[] | undefined)?.[0]?.text);

describe("a session's process", () => {
  test("a stdio client leaving stops its own process and the grandchild; the other's goes on", async () => {
    const gw = scene.gateway(perSession());
    const a = await scene.client(gw, "A");
    const b = await scene.client(gw, "B");
    const pa = Number(text(await a.call("fx_pid")));
    const pb = Number(text(await b.call("fx_pid")));
    expect(pa).not.toBe(pb);
    const fa = await family(pa);
    expect(fa).toHaveLength(2);
    a.close();
    await a.served;
    await gone(fa);
    expect(isAlive(pb)).toBe(true);
    expect(Number(text(await b.call("fx_pid")))).toBe(pb);
    const handle = gw.router.serverHandles[0];
    expect(handle?.lanes.map((l) => l.pid)).toEqual([pb]);
  }, 30_000);

  test("an HTTP session deleted, and a legacy SSE stream closed, stop their processes", async () => {
    const gw = scene.gateway(perSession());
    const { url } = await gw.serveHttp({ port: 0 });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    const http = new Client({ name: "http", version: "1" });
    await http.connect(transport);
    const sse = await sseClient(url.replace(/\/mcp$/, ""));
    const ph = pidText(await callTool(http, "fx_pid", {}));
    const ps = pidText(await callTool(sse.client, "fx_pid", {}));
    expect(ph).not.toBe(ps);
    const [fh, fs] = [await family(ph), await family(ps)];
    await transport.terminateSession();
    await gone(fh);
    expect(isAlive(ps)).toBe(true);
    await sse.close();
    await gone(fs);
    await http.close();
  }, 30_000);

  test("idle: stopped after idle_timeout, the session stays; its next call starts a new one", async () => {
    const gw = scene.gateway(perSession({ idle_timeout: 1 }));
    const a = await scene.client(gw, "A");
    const first = Number(text(await a.call("fx_pid")));
    await gone(await family(first), 10_000);
    const handle = gw.router.serverHandles[0];
    expect(handle?.lanes.map((l) => l.state)).toEqual(["stopped"]);
    const second = Number(text(await a.call("fx_pid")));
    expect(second).not.toBe(first);
    expect(isAlive(second)).toBe(true);
  }, 30_000);

  test("gateway exit: every session's process and grandchild gone", async () => {
    const gw = scene.gateway(perSession());
    const clients = await Promise.all(["A", "B", "C"].map((n) => scene.client(gw, n)));
    const pids = await Promise.all(clients.map(async (c) => Number(text(await c.call("fx_pid")))));
    expect(new Set(pids).size).toBe(3);
    const all = (await Promise.all(pids.map(family))).flat();
    expect(all).toHaveLength(6);
    await gw.close();
    await gone(all);
  }, 30_000);
});
