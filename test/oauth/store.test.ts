// The token file: written atomically with mode 0600 (folder 0700), re-read when another process
// changed it, keyed by server and URL; a tampered or corrupt file is a clear warning and a
// logged-out server, never a crash, and its content is never quoted.
import { afterAll, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setLogSink } from "../../src/log.ts";
import { TokenStore } from "../../src/oauth/store.ts";
import { tempDir } from "../helpers/tmp.ts";
import { call, leaked, scene, stdio, stopGateway } from "./harness.ts";

const tokens = {
  access_token: "at-0123456789",
  token_type: "Bearer",
  refresh_token: "rt-0123456789",
};

test("writes 0600 into a 0700 folder, atomically, and reads another process's change", () => {
  using dir = tempDir();
  const file = join(dir.path, "state", "oauth.json");
  const store = new TokenStore(file);
  store.setServer("a", { url: "https://a.example/mcp", tokens, expires_at: 1 });
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(statSync(join(dir.path, "state")).mode & 0o777).toBe(0o700);
  // Nothing left behind by the write-and-rename.
  expect(readdirSync(join(dir.path, "state"))).toEqual(["oauth.json"]);
  expect(store.server("a", "https://a.example/mcp")?.tokens.access_token).toBe("at-0123456789");
  // Tokens stored for another URL are not handed to this one.
  expect(store.server("a", "https://evil.example/mcp")).toBeUndefined();
  // Another process (a second store on the same file) sees the change, and keeps what it did not touch.
  const other = new TokenStore(file);
  other.setServer("b", { url: "https://b.example/mcp", tokens });
  expect(store.server("b", "https://b.example/mcp")).toBeDefined();
  expect(store.forget("a")).toBe(true);
  expect(store.forget("a")).toBe(false);
  expect(other.server("b", "https://b.example/mcp")).toBeDefined();
});

test("a corrupt or tampered file: one warning without its content, logged out, replaced on write", () => {
  using dir = tempDir();
  const file = join(dir.path, "oauth.json");
  const lines: string[] = [];
  const prev = setLogSink((l) => lines.push(l));
  try {
    for (const bad of [
      "{ not json",
      JSON.stringify({
        version: 1,
        servers: { a: { url: "u", tokens: { access_token: 5 } } },
        clients: [],
      }),
      JSON.stringify({ version: 2, servers: {}, clients: [] }),
      JSON.stringify([1, 2, 3]),
    ]) {
      writeFileSync(file, `${bad}\n`, { mode: 0o644 });
      const store = new TokenStore(file);
      expect(store.server("a", "u")).toBeUndefined();
      expect(store.registrations("x")).toEqual([]);
    }
    expect(lines.length).toBe(4);
    for (const l of lines) {
      expect(l).toContain("token file unreadable");
      expect(l).toContain("treated as logged out");
      expect(l).not.toContain("access_token");
    }
    const store = new TokenStore(file);
    store.setServer("a", { url: "u", tokens });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8")).servers.a.url).toBe("u");
  } finally {
    setLogSink(prev);
  }
});

test("the gateway with a tampered token file warns, logs in again, and keeps serving", async () => {
  const s = await scene();
  afterAll(() => s.stop());
  const gw = await stdio(s);
  try {
    expect((await call(gw, "_prot_connect")).isError).toBe(false);
    const good = readFileSync(s.tokenFile, "utf8");
    const oldToken = s.tokens()?.servers.prot?.tokens.access_token ?? "";
    // Tamper: flip the structure under the running gateway, then force a new authorization.
    writeFileSync(s.tokenFile, good.replace('"access_token"', '"access_tokem"'));
    await s.as.revokeAccessToken(oldToken);
    const who = await call(gw, "prot_whoami");
    expect(who.isError).toBe(false);
    expect(s.opened()).toHaveLength(2);
    expect(gw.stderrText()).toContain("token file unreadable");
    expect(gw.stderrText()).not.toContain(oldToken);
    // The file is whole again.
    expect(s.tokens()?.servers.prot?.tokens.access_token).toBeString();
  } finally {
    await stopGateway(gw);
  }
  expect(leaked(s, gw.stderrText(), JSON.stringify(gw.messages))).toEqual([]);
});
