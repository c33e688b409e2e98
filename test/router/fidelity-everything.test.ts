// Fidelity: @modelcontextprotocol/server-everything seen directly and through the gateway (stdio CLI)
// must be the same apart from the name prefix. Results are read with loose schemas, so a field the
// gateway dropped or reshaped shows up as a difference.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type {
  CreateMessageRequest,
  ElicitRequest,
  ServerCapabilities,
} from "@modelcontextprotocol/sdk/types.js";
import { MAIN } from "../helpers/paths.ts";
import { killTree } from "../helpers/proc.ts";
import {
  type ClientHandlers,
  callTool,
  connectStdio,
  Loose,
  type LooseResult,
  listAll,
  type StdioConnection,
} from "../helpers/sdk.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";

const EVERYTHING = fileURLToPath(
  new URL(
    "../../node_modules/@modelcontextprotocol/server-everything/dist/index.js",
    import.meta.url,
  ),
);
const P = "everything_";

/** What each client's handlers were asked, so direct and gateway requests can be compared. */
interface Seen {
  sampling: CreateMessageRequest["params"][];
  elicitation: ElicitRequest["params"][];
}
const handlers = (seen: Seen): ClientHandlers => ({
  sampling: (req) => {
    seen.sampling.push(req.params);
    return {
      role: "assistant",
      content: { type: "text", text: "sampled answer" },
      model: "m",
      stopReason: "endTurn",
    };
  },
  elicitation: (req) => {
    seen.elicitation.push(req.params);
    return { action: "accept", content: { name: "Ada", check: true, integer: 7 } };
  },
  roots: () => ({ roots: [{ uri: "file:///tmp/everything-root", name: "root" }] }),
});

let dir: TempDir;
let direct: StdioConnection;
let gw: StdioConnection;
const seenDirect: Seen = { sampling: [], elicitation: [] };
const seenGw: Seen = { sampling: [], elicitation: [] };

beforeAll(async () => {
  dir = tempDir("fidelity-everything-");
  const config = join(dir.path, "gateway.yaml");
  // JSON is YAML.
  writeFileSync(
    config,
    JSON.stringify({ servers: { everything: { command: "node", args: [EVERYTHING, "stdio"] } } }),
  );
  [direct, gw] = await Promise.all([
    connectStdio("node", [EVERYTHING, "stdio"], { handlers: handlers(seenDirect) }),
    connectStdio(process.execPath, [MAIN, "stdio", "--config", config], {
      env: { XDG_CACHE_HOME: dir.path },
      handlers: handlers(seenGw),
    }),
  ]);
  const connected = await callTool(gw.client, "_everything_connect");
  expect(connected.isError).toBeUndefined();
});

afterAll(async () => {
  for (const c of [direct, gw]) {
    if (!c) continue;
    await c.close().catch(() => {});
    await killTree(c.pid);
  }
  dir?.cleanup();
});

/** Dynamic resources carry the time they were made; that is the only thing allowed to differ. */
const TIME = /\d{1,2}:\d{2}:\d{2}(\s?[AP]M)?/g;
function normalize(v: unknown, key = ""): unknown {
  if (typeof v === "string") {
    const s = key === "blob" ? Buffer.from(v, "base64").toString("utf8") : v;
    return s.replace(TIME, "<time>");
  }
  if (Array.isArray(v)) return v.map((x) => normalize(x));
  if (typeof v === "object" && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x, k)]));
  return v;
}

const req = (c: Client, method: string, params: Record<string, unknown>) =>
  c.request({ method, params }, Loose);

/** Same request both ways (prefixing `name` for the gateway); results must be equal. */
async function same(method: string, params: Record<string, unknown>, prefixed = "name") {
  const viaGw = { ...params };
  if (typeof params[prefixed] === "string") viaGw[prefixed] = `${P}${params[prefixed]}`;
  const [a, b] = await Promise.all([
    req(direct.client, method, params),
    req(gw.client, method, viaGw),
  ]);
  expect(normalize(b)).toEqual(normalize(a));
  return b;
}

describe("server-everything through the gateway", () => {
  test("announces the backend's capabilities, tasks included (test/fidelity/tasks-*.test.ts)", () => {
    const caps = direct.client.getServerCapabilities() as ServerCapabilities;
    expect(gw.client.getServerCapabilities()).toEqual(caps);
  });

  for (const [method, prefixed] of [
    ["tools/list", true],
    ["prompts/list", true],
    ["resources/list", true],
    ["resources/templates/list", true],
  ] as const) {
    test(`${method}: every definition deep-equal apart from the name prefix`, async () => {
      const [mine, theirs] = await Promise.all([
        listAll(gw.client, method),
        listAll(direct.client, method),
      ]);
      const ours = mine.filter((d) => d.name !== "gateway_status");
      expect(ours.length).toBe(theirs.length);
      expect(theirs.length).toBeGreaterThan(0);
      const expected = theirs.map((d) => ({ ...d, name: prefixed ? `${P}${d.name}` : d.name }));
      expect(ours).toEqual(expected);
    });
  }

  test("tools/call: text, image, annotations, resource links, embedded resources, structuredContent", async () => {
    const calls: [string, Record<string, unknown>][] = [
      ["echo", { message: "héllo ✓" }],
      ["get-sum", { a: 2, b: 40 }],
      ["get-tiny-image", {}],
      ["get-annotated-message", { messageType: "error", includeImage: true }],
      ["get-annotated-message", { messageType: "success", includeImage: false }],
      ["get-resource-links", { count: 4 }],
      ["get-resource-reference", { resourceType: "Text", resourceId: 2 }],
      ["get-resource-reference", { resourceType: "Blob", resourceId: 3 }],
      ["get-structured-content", { location: "Chicago" }],
    ];
    const kinds = new Set<string>();
    for (const [name, args] of calls) {
      const r = await same("tools/call", { name, arguments: args });
      for (const c of (r.content as { type: string }[]) ?? []) kinds.add(c.type);
      if (r.structuredContent) kinds.add("structuredContent");
    }
    // The calls above really cover every kind the server produces.
    expect([...kinds].sort()).toEqual(
      ["image", "resource", "resource_link", "structuredContent", "text"].sort(),
    );
  });

  test("tools/call: isError results from the backend pass on unchanged", async () => {
    const bad = await same("tools/call", { name: "get-sum", arguments: { a: "x" } });
    expect(bad.isError).toBe(true);
    const missing = await same("tools/call", { name: "get-structured-content", arguments: {} });
    expect(missing.isError).toBe(true);
  });

  test("prompts/get: plain, with arguments, with an embedded resource", async () => {
    await same("prompts/get", { name: "simple-prompt" });
    await same("prompts/get", { name: "args-prompt", arguments: { city: "Paris", state: "TX" } });
    await same("prompts/get", {
      name: "completable-prompt",
      arguments: { department: "Sales", name: "Eve" },
    });
    const r = await same("prompts/get", {
      name: "resource-prompt",
      arguments: { resourceType: "Text", resourceId: "2" },
    });
    expect(JSON.stringify(r)).toContain('"type":"resource"');
  });

  test("resources/read: static documents and both templates", async () => {
    const uris = [
      "demo://resource/static/document/architecture.md",
      "demo://resource/dynamic/text/5",
      "demo://resource/dynamic/blob/6",
    ];
    for (const uri of uris) await same("resources/read", { uri });
  });

  test("completion/complete for a prompt argument (with context) and a template variable", async () => {
    const ask = (name: string, value: string, context?: Record<string, string>) => ({
      ref: { type: "ref/prompt", name },
      argument: { name: "name", value },
      ...(context ? { context: { arguments: context } } : {}),
    });
    for (const [value, context] of [
      ["", { department: "Engineering" }],
      ["J", { department: "Support" }],
      ["", undefined],
    ] as const) {
      const a = await req(
        direct.client,
        "completion/complete",
        ask("completable-prompt", value, context),
      );
      const b = await req(
        gw.client,
        "completion/complete",
        ask(`${P}completable-prompt`, value, context),
      );
      expect(b).toEqual(a);
    }
    await same(
      "completion/complete",
      {
        ref: { type: "ref/resource", uri: "demo://resource/dynamic/text/{resourceId}" },
        argument: { name: "resourceId", value: "1" },
      },
      "none",
    );
  });

  test("progress notifications of the long-running tool arrive, in order", async () => {
    const args = { duration: 0.6, steps: 3 };
    const run = async (c: Client, name: string) => {
      const progress: unknown[] = [];
      const r = await c.request(
        { method: "tools/call", params: { name, arguments: args } },
        Loose,
        {
          onprogress: (p) => progress.push(p),
          timeout: 15_000,
        },
      );
      return { r, progress };
    };
    const [a, b] = await Promise.all([
      run(direct.client, "trigger-long-running-operation"),
      run(gw.client, `${P}trigger-long-running-operation`),
    ]);
    expect(b.r).toEqual(a.r);
    // The SDK client runs progress handlers a microtask late, so the last one can lose the race
    // with the response, directly as well as through the gateway.
    const expected = [1, 2, 3].map((progress) => ({ progress, total: 3 }));
    for (const got of [a.progress, b.progress]) {
      expect(got.length).toBeGreaterThanOrEqual(2);
      expect(got).toEqual(expected.slice(0, got.length));
    }
  });

  test("sampling: the backend's request reaches the calling client whole, the answer comes back", async () => {
    seenDirect.sampling.length = 0;
    seenGw.sampling.length = 0;
    const r = await same("tools/call", {
      name: "trigger-sampling-request",
      arguments: { prompt: "Name a colour", maxTokens: 20 },
    });
    expect(JSON.stringify(r)).toContain("sampled answer");
    expect(seenGw.sampling).toEqual(seenDirect.sampling);
    expect(seenGw.sampling.length).toBe(1);
  });

  test("elicitation: the backend's request reaches the calling client whole, the answer comes back", async () => {
    seenDirect.elicitation.length = 0;
    seenGw.elicitation.length = 0;
    const r = await same("tools/call", { name: "trigger-elicitation-request", arguments: {} });
    expect(JSON.stringify(r)).toContain("Ada");
    expect(seenGw.elicitation).toEqual(seenDirect.elicitation);
    expect(seenGw.elicitation.length).toBe(1);
  });

  test("roots: the backend asked the client for its roots through the gateway", async () => {
    const r = await same("tools/call", { name: "get-roots-list", arguments: {} });
    expect(JSON.stringify(r)).toContain("file:///tmp/everything-root");
  });

  test("pagination of the gateway's own lists: a bad cursor is an error, not a crash", async () => {
    const e = await gw.client
      .request({ method: "tools/list", params: { cursor: "not-a-cursor" } }, Loose)
      .catch((err: unknown) => err);
    expect(e).toMatchObject({ code: -32602 });
    const ok: LooseResult = await req(gw.client, "tools/list", {});
    expect(ok.nextCursor).toBeUndefined();
  });

  test("a second gateway on the warm cache lists the same definitions without starting anything", async () => {
    const warm = await connectStdio(
      process.execPath,
      [MAIN, "stdio", "--config", join(dir.path, "gateway.yaml")],
      { env: { XDG_CACHE_HOME: dir.path }, handlers: handlers({ sampling: [], elicitation: [] }) },
    );
    try {
      expect(warm.client.getInstructions()).toBe(
        `## everything\n${direct.client.getInstructions() ?? ""}`,
      );
      const [mine, theirs] = await Promise.all([
        listAll(warm.client, "tools/list"),
        listAll(direct.client, "tools/list"),
      ]);
      expect(mine.filter((d) => d.name !== "gateway_status")).toEqual(
        theirs.map((d) => ({ ...d, name: `${P}${d.name}` })),
      );
      const status = await callTool(warm.client, "gateway_status");
      expect(status.structuredContent).toMatchObject({
        servers: [{ name: "everything", state: "stopped", schemas: "cache" }],
      });
      const [a, b] = await Promise.all([
        callTool(direct.client, "echo", { message: "warm" }),
        callTool(warm.client, `${P}echo`, { message: "warm" }),
      ]);
      expect(b).toEqual(a);
    } finally {
      await warm.close().catch(() => {});
      await killTree(warm.pid);
    }
  });
});
