// `mcp-gateway login` and `logout` against a real authorization server (oidc-provider) and an
// MCP server behind bearer auth: the browser opened through $BROWSER, tokens stored 0600, reused
// by stdio without a browser, shown in status without a token, forgotten by logout.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { dirname } from "node:path";
import { call, cli, leaked, type Scene, scene, stdio, stopGateway } from "./harness.ts";

let s: Scene;
beforeAll(async () => {
  s = await scene();
});
afterAll(async () => {
  await s.stop();
});

test("login opens the URL with $BROWSER, prints it, and stores the tokens in a 0600 file", async () => {
  const r = await cli(s, ["login", "prot", "--config", s.config]);
  expect(r.stderr).not.toContain("mcp-gateway error");
  expect(r.code).toBe(0);
  const opened = s.opened();
  expect(opened).toHaveLength(1);
  const url = new URL(opened[0] ?? "");
  expect(r.stdout).toContain(url.href);
  expect(url.origin).toBe(s.as.issuer);
  expect(url.searchParams.get("code_challenge_method")).toBe("S256");
  expect(url.searchParams.get("resource")).toBe(s.servers.prot?.url ?? "");
  expect(url.searchParams.get("scope")?.split(" ")).toContain("mcp:read");
  expect(url.searchParams.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  expect(r.stdout).toContain('Logged in to "prot" (1 tool)');
  expect(statSync(s.tokenFile).mode & 0o777).toBe(0o600);
  expect(statSync(dirname(s.tokenFile)).mode & 0o777).toBe(0o700);
  const stored = s.tokens();
  expect(stored?.servers.prot?.tokens.access_token).toBeString();
  expect(stored?.servers.prot?.tokens.refresh_token).toBeString();
  expect(stored?.clients).toHaveLength(1);
  expect(s.as.grants).toEqual(["authorization_code"]);
  expect(leaked(s, r.stdout, r.stderr)).toEqual([]);
});

test("stdio then uses the stored tokens: no browser, status says logged in, nothing leaks", async () => {
  const gw = await stdio(s);
  try {
    const connect = await call(gw, "_prot_connect");
    expect(connect.isError).toBe(false);
    const who = await call(gw, "prot_whoami");
    expect(who.isError).toBe(false);
    expect(JSON.parse(who.text)).toMatchObject({ accountId: "alice", aud: [s.servers.prot?.url] });
    const status = await call(gw, "gateway_status");
    const prot = (JSON.parse(status.text) as { servers: Array<Record<string, unknown>> })
      .servers[0];
    expect(prot?.login).toMatchObject({ state: "logged in" });
    expect(s.opened()).toHaveLength(1);
    expect(leaked(s, status.text, who.text, JSON.stringify(gw.messages))).toEqual([]);
  } finally {
    await stopGateway(gw);
  }
  expect(leaked(s, gw.stderrText())).toEqual([]);
});

test("logout forgets the tokens; the next call logs in again on first use", async () => {
  const out = await cli(s, ["logout", "prot"]);
  expect(out.code).toBe(0);
  expect(out.stdout).toContain('Logged out of "prot"');
  expect(s.tokens()?.servers.prot).toBeUndefined();
  // The registration belongs to the authorization server and stays.
  expect(s.tokens()?.clients).toHaveLength(1);
  expect((await cli(s, ["logout", "prot"])).stdout).toContain('No stored login for "prot"');

  const gw = await stdio(s);
  try {
    const connect = await call(gw, "_prot_connect");
    expect(connect.isError).toBe(false);
    expect(s.opened()).toHaveLength(2);
    expect((await call(gw, "prot_whoami")).isError).toBe(false);
    // One registration, reused: the second login registered nothing.
    expect(s.as.registrations).toBe(1);
  } finally {
    await stopGateway(gw);
  }
  expect(leaked(s, gw.stderrText(), JSON.stringify(gw.messages))).toEqual([]);
});

test("login refuses unknown servers and stdio servers with one clear line", async () => {
  const unknown = await cli(s, ["login", "nope", "--config", s.config]);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('no server "nope" in the config (servers: prot)');
  const missing = await cli(s, ["login"]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain("missing <server>");
});
