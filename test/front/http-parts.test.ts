// The small parts of the HTTP fronts on their own: the event store (resumability), the
// routing of outgoing messages to streams, the session table's idle timers, and the log.
import { afterEach, describe, expect, test } from "bun:test";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { MAX_EVENTS, MemoryEventStore } from "../../src/front/event-store.ts";
import { createHttpHandler } from "../../src/front/http.ts";
import { RequestTracker } from "../../src/front/related.ts";
import { SessionTable } from "../../src/front/sessions.ts";
import { MCPGateway } from "../../src/gateway.ts";
import { setLogLevel, setLogSink } from "../../src/log.ts";
import { waitFor } from "../helpers/proc.ts";
import { tempDir } from "../helpers/tmp.ts";

const note = (n: number): JSONRPCMessage => ({
  jsonrpc: "2.0",
  method: "notifications/message",
  params: { level: "info", data: n },
});

/** The `data` of a notification made by note(). */
const dataOf = (m: JSONRPCMessage | undefined): unknown =>
  m && "params" in m ? (m.params as { data?: unknown }).data : undefined;

async function replay(store: MemoryEventStore, after: string) {
  const got: [string, JSONRPCMessage][] = [];
  const stream = await store.replayEventsAfter(after, {
    send: async (id, m) => void got.push([id, m]),
  });
  return { stream, got };
}

describe("MemoryEventStore", () => {
  test("replays the events of one stream after an id, skipping priming events", async () => {
    const store = new MemoryEventStore();
    const a1 = await store.storeEvent("a", {} as JSONRPCMessage);
    await store.storeEvent("b", note(1));
    await store.storeEvent("a", note(2));
    await store.storeEvent("a", note(3));
    const { stream, got } = await replay(store, a1);
    expect(stream).toBe("a");
    expect(got.map(([, m]) => dataOf(m))).toEqual([2, 3]);
    expect(await store.getStreamIdForEventId("_GET_stream_12")).toBe("_GET_stream");
    expect(await store.getStreamIdForEventId("garbage")).toBeUndefined();
  });

  test("keeps at most MAX_EVENTS, dropping the oldest", async () => {
    const store = new MemoryEventStore();
    const first = await store.storeEvent("s", note(0));
    for (let i = 1; i <= MAX_EVENTS + 10; i++) await store.storeEvent("s", note(i));
    expect(store.size).toBe(MAX_EVENTS);
    const { got } = await replay(store, first);
    expect(got.length).toBe(MAX_EVENTS);
    expect(dataOf(got[0]?.[1])).toBe(11);
  });
});

describe("RequestTracker", () => {
  test("responses, progress, log messages and server requests go on the right stream", () => {
    const t = new RequestTracker();
    t.incoming({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { _meta: { progressToken: "p1" } },
    });
    t.incoming({ jsonrpc: "2.0", id: "b", method: "tools/call", params: {} });
    const progress = (token: string) => ({
      jsonrpc: "2.0" as const,
      method: "notifications/progress",
      params: { progressToken: token, progress: 1 },
    });
    expect(t.route(progress("p1"))).toEqual({ related: 1 });
    expect(t.route(progress("nope"))).toBe("drop");
    const log = { jsonrpc: "2.0" as const, method: "notifications/message", params: {} };
    expect(t.route(log)).toEqual({ related: "b" });
    const sampling = { jsonrpc: "2.0" as const, id: 7, method: "sampling/createMessage" };
    expect(t.route(sampling)).toEqual({ related: "b" });
    const changed = { jsonrpc: "2.0" as const, method: "notifications/tools/list_changed" };
    expect(t.route(changed)).toEqual({ related: undefined });
    expect(t.route({ jsonrpc: "2.0", id: "b", result: {} })).toEqual({ related: "b" });
    expect(t.route(log)).toEqual({ related: 1 });
    t.incoming({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1 } });
    expect(t.size).toBe(0);
    expect(t.route(progress("p1"))).toBe("drop");
    expect(t.route(log)).toEqual({ related: undefined });
  });
});

describe("SessionTable", () => {
  test("closes an idle session, never a busy one", async () => {
    const table = new SessionTable<{ busy(): boolean; close(r: string): void; why?: string }>(50);
    let busy = true;
    const fake = (isBusy: () => boolean) => {
      const s = {
        why: "",
        busy: isBusy,
        close(r: string) {
          s.why = r;
        },
      };
      return s;
    };
    const idle = fake(() => false);
    const working = fake(() => busy);
    table.add("idle", idle);
    table.add("working", working);
    await waitFor(() => idle.why !== "", { message: "the idle session to close" });
    expect(idle.why).toMatch(/^idle for/);
    expect(table.size).toBe(1);
    expect(working.why).toBe("");
    busy = false;
    await waitFor(() => working.why !== "", { message: "the session to close once idle" });
    expect(table.size).toBe(0);
  });
});

describe("logs", () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  test("no token appears in any log line, even at debug level", async () => {
    const token = "very-secret-token-abcdef";
    const lines: string[] = [];
    const prev = setLogSink((l) => lines.push(l));
    setLogLevel("debug");
    restore = () => {
      setLogSink(prev);
      setLogLevel("info");
    };
    const dir = tempDir();
    const gw = new MCPGateway({
      config: { roles: { all: null }, auth: { tokens: [{ token, role: "all" }] } },
      cacheDir: dir.path,
    });
    const handler = createHttpHandler({ router: gw.router, config: gw.config, role: gw.role });
    const headers = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    };
    const init = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "t", version: "1" },
      },
    };
    for (const auth of [`Bearer ${token}`, `Bearer ${token}-wrong`, token]) {
      const res = await handler.fetch(
        new Request("http://127.0.0.1/mcp", {
          method: "POST",
          headers: { ...headers, authorization: auth },
          body: JSON.stringify(init),
        }),
      );
      expect(await res.text()).not.toContain(token);
    }
    await handler.close(0);
    await gw.close();
    dir.cleanup();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes(token))).toEqual([]);
  });
});
