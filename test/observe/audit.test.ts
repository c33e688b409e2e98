// The audit log of a real gateway: one line per call (200 in flight), who/what/how, no data.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../helpers/proc.ts";
import { client, echoBackend, fixture, NO_OTEL, Scene } from "./harness.ts";

const ADMIN = "audit-admin-token-1a2b3c";
const READER = "audit-reader-token-4d5e6f";
const SECRET_ENV = "audit-env-secret-9876";
const ARGUMENT = "argument-text-that-must-not-be-logged";

interface Line {
  time: string;
  method: string;
  name: string;
  server: string | null;
  outcome: string;
  duration_ms: number;
  front: string;
  session: number | null;
  role: string | null;
  token: string | null;
}

describe("audit log", () => {
  const scene = new Scene();
  afterAll(() => scene.cleanup());

  test("200 concurrent calls: one line each, with who, what, where, how long and how it ended", async () => {
    const file = join(scene.dir.path, "audit.jsonl");
    scene.writeConfig({
      servers: { fx: { ...fixture(), env: { FIXTURE_SECRET: SECRET_ENV } } },
      roles: { admin: null, reader: ["fx_echo"] },
      auth: {
        tokens: [
          { token: ADMIN, role: "admin", label: "alice" },
          { token: READER, role: "reader" },
        ],
      },
      audit_log: "audit.jsonl",
    });
    const { url, proc } = await scene.serve({ env: NO_OTEL });
    const admin = await client(url, ADMIN);
    await admin.call("_fx_connect");
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => admin.call("fx_echo", { text: `${ARGUMENT} ${i}` })),
    );
    expect(replies.every((r) => r.result?.isError === undefined)).toBe(true);
    await admin.call("fx_fail");
    await admin.request("prompts/get", { name: "fx_greet", arguments: { name: ARGUMENT } });
    await admin.request("resources/read", { uri: "fixture://item/7" });
    const reader = await client(url, READER);
    expect((await reader.call("fx_add", { a: 1, b: 2 })).error?.code).toBe(-32602);
    await reader.call("fx_echo", { text: ARGUMENT });

    const read = () =>
      readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line);
    // 200 + connect + fail + prompt + read + denied + reader's echo.
    await waitFor(() => read().length === 206, { timeout: 5000, message: "206 audit lines" });
    const lines = read();
    const echoes = lines.filter((l) => l.name === "fx_echo" && l.token === "alice");
    expect(echoes).toHaveLength(200);
    for (const l of echoes) {
      expect(l).toMatchObject({
        method: "tools/call",
        server: "fx",
        outcome: "ok",
        front: "http",
        role: "admin",
        token: "alice",
      });
      expect(typeof l.session).toBe("number");
      expect(l.duration_ms).toBeGreaterThanOrEqual(0);
      expect(Number.isNaN(Date.parse(l.time))).toBe(false);
    }
    expect(lines.find((l) => l.name === "fx_fail")?.outcome).toBe("tool_error");
    expect(lines.find((l) => l.method === "prompts/get")).toMatchObject({
      name: "fx_greet",
      server: "fx",
      outcome: "ok",
    });
    expect(lines.find((l) => l.method === "resources/read")).toMatchObject({
      name: "fixture://item/7",
      server: "fx",
    });
    // A call the role hides is recorded as denied (the client was told "unknown tool").
    const denied = lines.find((l) => l.name === "fx_add");
    expect(denied).toMatchObject({ outcome: "denied", server: null, role: "reader" });
    // No label in the config: the token's principal id, a keyed hash (never the token).
    expect(denied?.token).toMatch(/^token:[\w-]{16}$/);
    expect(lines.filter((l) => l.token === denied?.token && l.outcome === "ok")).toHaveLength(1);

    const text = readFileSync(file, "utf8");
    for (const secret of [ADMIN, READER, SECRET_ENV, ARGUMENT, "Hello,"])
      expect(text).not.toContain(secret);
    const { left } = await scene.shutdown(proc, 10_000, "SIGTERM");
    expect(left).toEqual([]);
    // Nothing is written after the gateway closed, and nothing was lost on the way out.
    expect(read()).toHaveLength(206);
  });

  test('audit_log "-" writes the lines to stderr, one JSON object per line', async () => {
    scene.writeConfig({ servers: { echo: echoBackend() }, audit_log: "-" });
    const gw = await scene.gateway({ env: NO_OTEL });
    await gw.call("_echo_connect");
    await gw.call("echo_ok");
    await gw.call("echo_boom");
    const lines = () =>
      gw
        .stderrText()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Line);
    await waitFor(() => lines().length === 3, { timeout: 5000, message: "3 audit lines" });
    expect(lines().map((l) => [l.name, l.outcome, l.front, l.token])).toEqual([
      ["_echo_connect", "ok", "stdio", null],
      ["echo_ok", "ok", "stdio", null],
      ["echo_boom", "protocol_error", "stdio", null],
    ]);
    const { left } = await scene.shutdown(gw);
    expect(left).toEqual([]);
  });

  test("an audit_log that cannot be opened is a config error at start", async () => {
    scene.writeConfig({ servers: {}, audit_log: "no/such/folder/audit.jsonl" });
    const { code, stderr } = await scene.run(["stdio", "--config", scene.config], NO_OTEL);
    expect(code).toBe(2);
    expect(stderr).toContain('audit_log: cannot open "no/such/folder/audit.jsonl"');
  });
});
