// The served gateway (127.0.0.1, port 0) with the SDK's real Streamable HTTP and legacy SSE
// clients, and raw fetch where the wire itself is under test (resumability).
import { afterEach, describe, expect, test } from "bun:test";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { RESUME_GRACE_MS } from "../../src/front/streamable-session.ts";
import { isAlive, markersIn, pidsIn, waitFor } from "../helpers/proc.ts";
import { callTool, listAll } from "../helpers/sdk.ts";
import {
  type Connected,
  fixtureServer,
  httpClient,
  type Served,
  serve,
  sseClient,
} from "./http-harness.ts";

const ADMIN = "admin-token-for-tests";
const READER = "reader-token-for-tests";
const LONG = 30_000;

const served: Served[] = [];
const clients: Connected[] = [];

async function start(...args: Parameters<typeof serve>): Promise<Served> {
  const s = await serve(...args);
  served.push(s);
  return s;
}
async function client(c: Promise<Connected>): Promise<Connected> {
  const connected = await c;
  clients.push(connected);
  return connected;
}

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => {});
  for (const s of served.splice(0)) await s.close();
});

const names = async (c: Connected) => (await listAll(c.client, "tools/list")).map((t) => t.name);
const textOf = (r: Record<string, unknown>) => (r.content as { text?: string }[])[0]?.text;
const fx = (s: Served) => {
  const h = s.gw.router.serverHandles.find((h) => h.name === "fx");
  if (!h) throw new Error("no fx server");
  return h;
};

describe("both fronts with SDK clients", () => {
  for (const front of ["Streamable HTTP", "legacy SSE"] as const) {
    test(
      `${front}: lists, calls, progress and sampling`,
      async () => {
        const s = await start(undefined, { refresh: true });
        const c = await client(front === "legacy SSE" ? sseClient(s.base) : httpClient(s.url));
        expect(await names(c)).toEqual(
          expect.arrayContaining(["gateway_status", "fx_echo", "fx_slow"]),
        );
        expect(textOf(await callTool(c.client, "fx_echo", { text: "hello" }))).toBe("hello");
        const progress: unknown[] = [];
        const slow = await callTool(
          c.client,
          "fx_slow",
          { ms: 300 },
          {
            onprogress: (p) => progress.push(p),
          },
        );
        expect(textOf(slow)).toBe("slept 300 ms");
        expect(progress.length).toBeGreaterThan(0);
        expect(textOf(await callTool(c.client, "fx_sample", { prompt: "hi" }))).toBe("sampled: hi");
      },
      LONG,
    );
  }

  test(
    "two clients with different tokens see and may call different tools",
    async () => {
      const s = await start(
        (d) => ({
          servers: { fx: fixtureServer(d) },
          roles: { admin: null, reader: ["fx_echo", "gateway_status"] },
          auth: {
            tokens: [
              { token: ADMIN, role: "admin" },
              { token: READER, role: "reader" },
            ],
          },
        }),
        { refresh: true },
      );
      const [admin, reader] = await Promise.all([
        client(httpClient(s.url, ADMIN, "admin")),
        client(sseClient(s.base, READER, "reader")),
      ]);
      const [adminTools, readerTools] = await Promise.all([names(admin), names(reader)]);
      expect(adminTools).toEqual(expect.arrayContaining(["fx_add", "fx_echo", "gateway_status"]));
      expect(readerTools.sort()).toEqual(["fx_echo", "gateway_status"]);
      const [sum, echoed] = await Promise.all([
        callTool(admin.client, "fx_add", { a: 2, b: 3 }),
        callTool(reader.client, "fx_echo", { text: "mine" }),
      ]);
      expect(textOf(sum)).toBe("5");
      expect(textOf(echoed)).toBe("mine");
      await expect(callTool(reader.client, "fx_add", { a: 1, b: 1 })).rejects.toThrow(
        /Unknown tool/,
      );
    },
    LONG,
  );

  test(
    "a client without a valid token is refused (401)",
    async () => {
      const s = await start((d) => ({
        servers: { fx: fixtureServer(d) },
        roles: { admin: null },
        auth: { tokens: [{ token: ADMIN, role: "admin" }] },
      }));
      await expect(httpClient(s.url)).rejects.toThrow(/Unauthorized/);
      await expect(httpClient(s.url, "wrong-token")).rejects.toThrow(/Unauthorized/);
      await expect(sseClient(s.base, "wrong-token")).rejects.toThrow(/401|Unauthorized/);
      expect(s.gw.router.sessions.size).toBe(0);
    },
    LONG,
  );
});

describe("sessions over HTTP", () => {
  test(
    "DELETE ends the session",
    async () => {
      const s = await start();
      const c = await client(httpClient(s.url));
      expect(s.gw.router.sessions.size).toBe(1);
      const transport = c.client.transport;
      if (!(transport instanceof StreamableHTTPClientTransport)) throw new Error("not HTTP");
      const sid = transport.sessionId ?? "";
      await transport.terminateSession();
      expect(s.gw.router.sessions.size).toBe(0);
      const ping = await fetch(s.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-session-id": sid,
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "ping" }),
      });
      expect(ping.status).toBe(404);
    },
    LONG,
  );

  for (const front of ["Streamable HTTP", "legacy SSE"] as const) {
    test(
      `${front}: a client that disconnects cancels its in-flight call at the backend`,
      async () => {
        const s = await start();
        const c = await client(front === "legacy SSE" ? sseClient(s.base) : httpClient(s.url));
        await callTool(c.client, "_fx_connect");
        const pending = callTool(c.client, "fx_hang", {}, { timeout: LONG }).catch((e) => e);
        await waitFor(() => fx(s).inFlight === 1, { message: "the call to reach the backend" });
        await c.close();
        // Streamable HTTP waits a few seconds for the client to resume before it cancels.
        await waitFor(() => markersIn(s.pidDir, "cancelled-").length === 1, {
          timeout: 15_000,
          message: "the backend to see notifications/cancelled",
        });
        expect(fx(s).inFlight).toBe(0);
        await pending;
      },
      LONG,
    );
  }

  test(
    "a dropped POST stream resumes with Last-Event-ID and gets the rest, response included",
    async () => {
      // Longer than the grace a dropped stream gets: resuming must keep the call alive.
      const SLOW = RESUME_GRACE_MS + 1000;
      const s = await start(undefined, { refresh: true });
      const headers = {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      };
      const init = await fetch(s.url, {
        method: "POST",
        headers,
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: "2025-11-25",
            capabilities: {},
            clientInfo: { name: "raw", version: "1" },
          },
        }),
      });
      const sid = init.headers.get("mcp-session-id") ?? "";
      await init.text();
      const session = { ...headers, "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" };
      await fetch(s.url, {
        method: "POST",
        headers: session,
        body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
      });
      const ac = new AbortController();
      const call = await fetch(s.url, {
        method: "POST",
        headers: session,
        signal: ac.signal,
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 2,
          method: "tools/call",
          params: { name: "fx_slow", arguments: { ms: SLOW }, _meta: { progressToken: "p" } },
        }),
      });
      const first = await readEvents(call, (e) => e.data.includes("notifications/progress"));
      const lastId = first.at(-1)?.id;
      expect(lastId).toBeTruthy();
      ac.abort();
      const resumed = await fetch(s.url, {
        headers: { ...session, accept: "text/event-stream", "last-event-id": lastId ?? "" },
      });
      expect(resumed.status).toBe(200);
      const rest = await readEvents(resumed, (e) => e.data.includes('"id":2'));
      const reply = JSON.parse(rest.at(-1)?.data ?? "{}");
      expect(reply.result.content[0].text).toBe(`slept ${SLOW} ms`);
      // Nothing seen before the drop comes again.
      const seen = new Set(first.map((e) => e.id));
      expect(rest.filter((e) => seen.has(e.id))).toEqual([]);
      await fetch(s.url, { method: "DELETE", headers: session });
    },
    LONG,
  );

  test(
    "shutdown: in-flight calls finish within the grace, the rest are cancelled, backends stop",
    async () => {
      const s = await start(undefined, { refresh: true });
      const c = await client(httpClient(s.url));
      await callTool(c.client, "fx_echo", { text: "start it" });
      const [pid] = pidsIn(s.pidDir);
      const slow = callTool(c.client, "fx_slow", { ms: 500 });
      const hung = callTool(c.client, "fx_hang", {}, { timeout: 10_000 }).catch((e) => e);
      await waitFor(() => fx(s).inFlight === 2, { message: "both calls at the backend" });
      await s.gw.close();
      expect(textOf(await slow)).toBe("slept 500 ms");
      expect(markersIn(s.pidDir, "cancelled-").length).toBe(1);
      expect(pid !== undefined && isAlive(pid)).toBe(false);
      await expect(fetch(`${s.base}/healthz`)).rejects.toThrow();
      await c.close();
      await hung;
    },
    LONG,
  );
});

interface SseEvent {
  id?: string;
  data: string;
}

/** SSE events of `res` (comments and empty priming data skipped) until one matches `until`. */
async function readEvents(res: Response, until: (e: SseEvent) => boolean): Promise<SseEvent[]> {
  const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) throw new Error("no body");
  const events: SseEvent[] = [];
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended after ${events.length} events`);
    buffer += value;
    for (let cut = buffer.indexOf("\n\n"); cut >= 0; cut = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event: SseEvent = { data: "" };
      for (const line of block.split("\n")) {
        if (line.startsWith("id: ")) event.id = line.slice(4);
        if (line.startsWith("data: ")) event.data += line.slice(6);
      }
      if (!event.data.trim()) continue;
      events.push(event);
      if (until(event)) {
        await reader.cancel().catch(() => {});
        return events;
      }
    }
  }
}
