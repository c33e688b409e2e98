// Two clients on one gateway core (two stdio sessions of one in-process MCPGateway, raw JSON-RPC
// over injected StdioIO) use the same request ids and progress tokens on purpose: neither may ever
// see the other's progress, responses or server-to-client requests.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { serveStdio } from "../../src/front/stdio.ts";
import { MCPGateway } from "../../src/gateway.ts";
import { fixtureCommand } from "../helpers/fixture.ts";
import { markersIn, waitFor } from "../helpers/proc.ts";
import { stdioPipe } from "../helpers/stdio-pipe.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";

type Msg = {
  id?: string | number | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
};

/** One raw client: what it got, and an answerer for the gateway's requests to it. */
class Raw {
  readonly got: Msg[] = [];
  answer: (m: Msg) => Record<string, unknown> | undefined = () => undefined;
  private readonly pipe = stdioPipe<Msg>((m) => {
    this.got.push(m);
    if (m.method !== undefined && m.id !== undefined && m.id !== null) {
      const result = this.answer(m);
      if (result) queueMicrotask(() => this.send({ id: m.id, result }));
    }
  });
  readonly served: Promise<void>;

  constructor(gw: MCPGateway) {
    this.served = serveStdio(gw.router, gw.role, this.pipe.io);
  }

  send(m: Msg): void {
    this.pipe.send(m);
  }
  close(): void {
    this.pipe.end();
  }
  responses(id: string | number): Msg[] {
    return this.got.filter((m) => m.id === id && m.method === undefined);
  }
  async response(id: string | number): Promise<Msg> {
    return waitFor(() => this.responses(id)[0], { timeout: 10_000, message: `response ${id}` });
  }
  progress(token: string | number): Record<string, unknown>[] {
    return this.got
      .filter((m) => m.method === "notifications/progress" && m.params?.progressToken === token)
      .map((m) => m.params ?? {});
  }
  requests(method: string): Msg[] {
    return this.got.filter((m) => m.method === method && m.id !== undefined);
  }
}

let dir: TempDir;
let pids: string;
let gw: MCPGateway;
let a: Raw;
let b: Raw;

const call = (c: Raw, id: number, name: string, args: object, token?: string) =>
  c.send({
    id,
    method: "tools/call",
    params: { name, arguments: args, ...(token ? { _meta: { progressToken: token } } : {}) },
  });
const text = (m: Msg) => (m.result?.content as { text: string }[] | undefined)?.[0]?.text;

beforeAll(async () => {
  dir = tempDir("two-clients-");
  pids = join(dir.path, "pids");
  mkdirSync(pids);
  gw = new MCPGateway({
    config: { servers: { fx: { ...fixtureCommand(), env: { FIXTURE_PID_DIR: pids } } } },
    cacheDir: join(dir.path, "cache"),
  });
  await gw.list();
  a = new Raw(gw);
  b = new Raw(gw);
  for (const c of [a, b]) {
    c.send({
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: { sampling: {}, elicitation: {} },
        clientInfo: { name: "raw", version: "1" },
      },
    });
    await c.response(0);
    c.send({ method: "notifications/initialized" });
  }
  a.send({ id: 1, method: "tools/call", params: { name: "_fx_connect", arguments: {} } });
  await a.response(1);
});

afterAll(async () => {
  a?.close();
  b?.close();
  await Promise.all([a?.served, b?.served]);
  await gw?.close();
  dir?.cleanup();
});

describe("two clients, same ids and tokens", () => {
  test("each gets only its own progress and its own response", async () => {
    call(a, 7, "fx_slow", { ms: 300 }, "same-token");
    call(b, 7, "fx_slow", { ms: 600 }, "same-token");
    const [ra, rb] = await Promise.all([a.response(7), b.response(7)]);
    expect(text(ra)).toBe("slept 300 ms");
    expect(text(rb)).toBe("slept 600 ms");
    // The fixture reports progress as step/total with total = ms / 50.
    const pa = a.progress("same-token");
    const pb = b.progress("same-token");
    expect(pa.length).toBeGreaterThan(0);
    expect(pb.length).toBeGreaterThan(0);
    expect(pa.every((p) => p.total === 6)).toBe(true);
    expect(pb.every((p) => p.total === 12)).toBe(true);
    expect(a.responses(7).length).toBe(1);
    expect(b.responses(7).length).toBe(1);
  });

  test("a cancel from one client stops only its own call", async () => {
    const before = markersIn(pids, "cancelled-").length;
    call(a, 11, "fx_slow", { ms: 800 });
    call(b, 11, "fx_slow", { ms: 800 });
    await waitFor(() => gw.router.serverHandles[0]?.inFlight === 2, { message: "both in flight" });
    a.send({ method: "notifications/cancelled", params: { requestId: 11, reason: "test" } });
    expect(text(await b.response(11))).toBe("slept 800 ms");
    await waitFor(() => markersIn(pids, "cancelled-").length === before + 1, {
      message: "exactly one cancelled call at the backend",
    });
    expect(a.responses(11)).toEqual([]);
  });

  test("sampling requests go to the client whose call asked (one at a time)", async () => {
    a.answer = (m) =>
      m.method === "sampling/createMessage"
        ? { role: "assistant", content: { type: "text", text: "answer A" }, model: "a" }
        : undefined;
    b.answer = (m) =>
      m.method === "sampling/createMessage"
        ? { role: "assistant", content: { type: "text", text: "answer B" }, model: "b" }
        : undefined;
    call(a, 21, "fx_sample", { prompt: "from A" });
    expect(text(await a.response(21))).toBe("answer A");
    call(b, 21, "fx_sample", { prompt: "from B" });
    expect(text(await b.response(21))).toBe("answer B");
    const asked = (c: Raw) =>
      c.requests("sampling/createMessage").map((m) => JSON.stringify(m.params));
    expect(asked(a)).toEqual([expect.stringContaining("from A")]);
    expect(asked(b)).toEqual([expect.stringContaining("from B")]);
  });

  test("sampling requests go to the client whose call asked (both at once)", async () => {
    call(a, 31, "fx_sample", { prompt: "A at once" });
    call(b, 31, "fx_sample", { prompt: "B at once" });
    const [ra, rb] = await Promise.all([a.response(31), b.response(31)]);
    const asked = (c: Raw) =>
      c.requests("sampling/createMessage").map((m) => JSON.stringify(m.params));
    expect(asked(a).filter((s) => s.includes("at once"))).toEqual([
      expect.stringContaining("A at once"),
    ]);
    expect(asked(b).filter((s) => s.includes("at once"))).toEqual([
      expect.stringContaining("B at once"),
    ]);
    expect(text(ra)).toBe("answer A");
    expect(text(rb)).toBe("answer B");
  });

  test("a client that disconnects cancels its own calls, not the other's", async () => {
    const c = new Raw(gw);
    c.send({
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "c", version: "1" },
      },
    });
    await c.response(0);
    const before = markersIn(pids, "cancelled-").length;
    call(c, 41, "fx_hang", {});
    call(b, 41, "fx_slow", { ms: 300 });
    await waitFor(() => gw.router.serverHandles[0]?.inFlight === 2, { message: "both in flight" });
    c.close();
    await c.served;
    await waitFor(() => markersIn(pids, "cancelled-").length === before + 1, {
      message: "the disconnected client's call cancelled at the backend",
    });
    expect(text(await b.response(41))).toBe("slept 300 ms");
  });
});
