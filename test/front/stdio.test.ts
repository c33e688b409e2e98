// The stdio front on the wire (the real CLI, raw JSON-RPC lines): bad input gets the right error and
// the next request still works, batches follow the negotiated protocol version, unknown methods,
// ids reused while in flight, version negotiation, and nothing but JSON-RPC on stdout.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serveStdio } from "../../src/front/stdio.ts";
import { MCPGateway } from "../../src/gateway.ts";
import { fixtureCommand } from "../helpers/fixture.ts";
import { MAIN } from "../helpers/paths.ts";
import { isAlive, killTree, pidsIn, waitFor } from "../helpers/proc.ts";
import { initialize, type RpcMessage, type RpcProcess, spawnRpc } from "../helpers/rpc.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";

let dir: TempDir;
let config: string;
let pids: string;
const started: RpcProcess[] = [];

beforeAll(() => {
  dir = tempDir("stdio-front-");
  pids = join(dir.path, "pids");
  mkdirSync(pids);
  config = join(dir.path, "gateway.yaml");
  writeFileSync(
    config,
    JSON.stringify({
      servers: {
        fx: { ...fixtureCommand(["--noisy-stdout"]), env: { FIXTURE_PID_DIR: pids } },
      },
    }),
  );
});

afterEach(async () => {
  for (const p of started.splice(0)) {
    p.close();
    await killTree(p.pid);
  }
});

afterAll(() => dir?.cleanup());

function gateway(): RpcProcess {
  const p = spawnRpc(process.execPath, [MAIN, "stdio", "--config", config], {
    env: { XDG_CACHE_HOME: dir.path },
  });
  started.push(p);
  return p;
}

/** Sends one raw line and returns the next message answering it (matched by `match`). */
async function exchange(
  p: RpcProcess,
  line: string,
  match: (m: RpcMessage) => boolean,
): Promise<RpcMessage> {
  const seen = p.messages.length;
  p.writeLine(line);
  return p.waitForMessage((m) => p.messages.indexOf(m) >= seen && match(m), 10_000);
}
const errorFor = (id: string | number | null) => (m: RpcMessage) =>
  m.error !== undefined && m.id === id;

describe("stdio front: bad input", () => {
  test("malformed JSON gets -32700 (id null); the next request works", async () => {
    const p = gateway();
    await initialize(p);
    const e = await exchange(p, '{"jsonrpc":"2.0","id":1,"method":', errorFor(null));
    expect(e.error?.code).toBe(-32700);
    const ok = await p.request("tools/list");
    expect(Array.isArray(ok.result?.tools)).toBe(true);
  });

  test("non-objects and malformed messages get -32600, with the id when one can be read", async () => {
    const p = gateway();
    await initialize(p);
    for (const line of ["42", '"text"', "null", "true"]) {
      const e = await exchange(p, line, errorFor(null));
      expect(e.error?.code).toBe(-32600);
    }
    const noVersion = await exchange(p, '{"id":5,"method":"ping"}', errorFor(5));
    expect(noVersion.error?.code).toBe(-32600);
    const neither = await exchange(p, '{"jsonrpc":"2.0","id":6}', errorFor(6));
    expect(neither.error?.code).toBe(-32600);
    const badId = await exchange(
      p,
      '{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}',
      errorFor(null),
    );
    expect(badId.error?.code).toBe(-32600);
    const badParams = await exchange(
      p,
      '{"jsonrpc":"2.0","id":7,"method":"tools/list","params":[1]}',
      errorFor(7),
    );
    expect(badParams.error?.code).toBe(-32602);
    expect((await p.request("ping")).result).toEqual({});
  });

  test("an unknown method gets -32601 with its id", async () => {
    const p = gateway();
    await initialize(p);
    const e = await p.request("no/such/method", {});
    expect(e.error?.code).toBe(-32601);
    expect(e.error?.message).toContain("no/such/method");
  });

  test("an id reused while in flight is refused; the first request still gets its answer", async () => {
    const p = gateway();
    await initialize(p);
    await p.request("tools/call", { name: "_fx_connect", arguments: {} });
    const call = (ms: number) =>
      JSON.stringify({
        jsonrpc: "2.0",
        id: "dup",
        method: "tools/call",
        params: { name: "fx_slow", arguments: { ms } },
      });
    p.writeLine(call(500));
    const refused = await exchange(p, call(1), errorFor("dup"));
    expect(refused.error?.code).toBe(-32600);
    expect(refused.error?.message).toContain("in flight");
    const first = await p.waitForMessage((m) => m.id === "dup" && m.result !== undefined);
    expect(JSON.stringify(first.result)).toContain("slept 500 ms");
    // Answered, so the id is free again.
    const again = await exchange(p, call(1), (m) => m.id === "dup" && m.result !== undefined);
    expect(JSON.stringify(again.result)).toContain("slept 1 ms");
  });
});

describe("stdio front: batches per protocol version", () => {
  const batch = JSON.stringify([
    { jsonrpc: "2.0", id: "b1", method: "ping" },
    { jsonrpc: "2.0", method: "notifications/roots/list_changed" },
    { jsonrpc: "2.0", id: "b2", method: "tools/list" },
    { jsonrpc: "2.0", id: "b3", method: "nope" },
  ]);
  const isArray = (m: RpcMessage) => Array.isArray(m);

  test("2025-03-26: a batch gets one array of answers (none for notifications)", async () => {
    const p = gateway();
    await initialize(p, "2025-03-26");
    const reply = (await exchange(p, batch, isArray)) as unknown as RpcMessage[];
    expect(reply.map((m) => m.id).sort()).toEqual(["b1", "b2", "b3"]);
    expect(reply.find((m) => m.id === "b3")?.error?.code).toBe(-32601);
    const seen = p.messages.length;
    p.writeLine(JSON.stringify([{ jsonrpc: "2.0", method: "notifications/initialized" }]));
    expect((await p.request("ping")).result).toEqual({});
    expect(p.messages.slice(seen).filter(isArray)).toEqual([]);
    const empty = await exchange(p, "[]", errorFor(null));
    expect(empty.error?.code).toBe(-32600);
  });

  test("2025-03-26: a batch whose request is cancelled still answers the rest", async () => {
    const p = gateway();
    await initialize(p, "2025-03-26");
    await p.request("tools/call", { name: "_fx_connect", arguments: {} });
    p.writeLine(
      JSON.stringify([
        {
          jsonrpc: "2.0",
          id: "slow",
          method: "tools/call",
          params: { name: "fx_slow", arguments: { ms: 5000 } },
        },
        { jsonrpc: "2.0", id: "quick", method: "ping" },
      ]),
    );
    p.notify("notifications/cancelled", { requestId: "slow", reason: "test" });
    const reply = (await p.waitForMessage(isArray, 4000)) as unknown as RpcMessage[];
    expect(reply).toEqual([{ jsonrpc: "2.0", id: "quick", result: {} }]);
  });

  for (const version of ["2025-11-25", "2025-06-18", "2024-11-05"])
    test(`${version}: a batch is refused with -32600; the session goes on`, async () => {
      const p = gateway();
      await initialize(p, version);
      const e = await exchange(p, batch, errorFor(null));
      expect(e.error?.code).toBe(-32600);
      expect(e.error?.message).toContain(version);
      expect((await p.request("ping")).result).toEqual({});
    });
});

describe("stdio front: handshake and stdout", () => {
  test("protocol version negotiation: a supported version is kept, an unknown one gets the latest", async () => {
    for (const [asked, expected] of [
      ["2024-11-05", "2024-11-05"],
      ["2025-03-26", "2025-03-26"],
      ["2025-06-18", "2025-06-18"],
      ["2025-11-25", "2025-11-25"],
      ["1999-01-01", "2025-11-25"],
    ]) {
      const p = gateway();
      const res = await initialize(p, asked);
      expect(res.result?.protocolVersion).toBe(expected);
      expect(res.result?.serverInfo).toMatchObject({ name: "mcp-gateway" });
      p.close();
    }
  });

  test("only JSON-RPC on stdout, even with a backend that writes junk; stdin EOF stops the backend", async () => {
    const p = gateway();
    await initialize(p);
    await p.request("tools/call", { name: "_fx_connect", arguments: {} });
    const r = await p.request("tools/call", { name: "fx_echo", arguments: { text: "clean" } });
    expect(r.result?.content).toEqual([{ type: "text", text: "clean" }]);
    const backend = pidsIn(pids).filter(isAlive);
    expect(backend.length).toBeGreaterThan(0);
    p.close();
    expect(await p.exited).toBe(0);
    expect(p.junk).toEqual([]);
    await waitFor(() => backend.every((pid) => !isAlive(pid)), { message: "backend stopped" });
  });

  test("the front stops reading when the gateway closes, though the client holds stdin open", async () => {
    const gw = new MCPGateway({ cacheDir: join(dir.path, "in-process") });
    const input = new ReadableStream<Uint8Array>({}); // never ends, like a client's open pipe
    const served = serveStdio(gw.router, gw.role, { input, write: () => {} });
    await gw.close();
    let timer: Timer | undefined;
    const outcome = await Promise.race([
      served.then(() => "returned"),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve("still reading"), 5000);
      }),
    ]);
    clearTimeout(timer);
    expect(outcome).toBe("returned");
  });
});
