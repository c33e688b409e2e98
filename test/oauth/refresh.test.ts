// Token lifetime against a real authorization server: an access token about to expire is
// refreshed before it is sent; one the server refuses (401) is refreshed and the request retried;
// a refresh token the authorization server revoked leads to a new login, not to a failure.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RpcProcess } from "../helpers/rpc.ts";
import { call, leaked, type Scene, scene, stdio, stopGateway } from "./harness.ts";

const TTL_S = 4;
let s: Scene;
let gw: RpcProcess;
const prot = () => s.servers.prot as NonNullable<Scene["servers"]["prot"]>;
const stored = () => s.tokens()?.servers.prot;

beforeAll(async () => {
  s = await scene({ accessTokenTtl: TTL_S });
  gw = await stdio(s);
  // The first use logs in (the stand-in browser follows the redirects).
  expect((await call(gw, "_prot_connect")).isError).toBe(false);
  expect(s.opened()).toHaveLength(1);
});
afterAll(async () => {
  await stopGateway(gw);
  expect(leaked(s, gw.stderrText(), JSON.stringify(gw.messages))).toEqual([]);
  await s.stop();
});

test("an access token about to expire is refreshed before it is sent: no 401 on the way", async () => {
  const before = stored();
  const refusals = prot().unauthorized;
  // Refreshed once less than a quarter of its life is left (TTL 4 s: the last second).
  const due = (before?.expires_at ?? 0) - (TTL_S * 1000) / 4 + 100;
  await Bun.sleep(Math.max(0, due - Date.now()));
  const who = await call(gw, "prot_whoami");
  expect(who.isError).toBe(false);
  expect(s.as.grants.at(-1)).toBe("refresh_token");
  expect(prot().unauthorized).toBe(refusals);
  const after = stored();
  expect(after?.tokens.access_token).not.toBe(before?.tokens.access_token);
  // oidc-provider rotates refresh tokens: the new one is stored.
  expect(after?.tokens.refresh_token).not.toBe(before?.tokens.refresh_token);
  expect(prot().accepted.at(-1)).toBe(after?.tokens.access_token ?? "");
  expect(s.opened()).toHaveLength(1);
});

test("an access token the server refuses is refreshed on its 401 and the call retried", async () => {
  const before = stored();
  await s.as.revokeAccessToken(before?.tokens.access_token ?? "");
  const refusals = prot().unauthorized;
  const grants = s.as.grants.length;
  const who = await call(gw, "prot_whoami");
  expect(who.isError).toBe(false);
  expect(prot().unauthorized).toBe(refusals + 1);
  expect(s.as.grants.slice(grants)).toEqual(["refresh_token"]);
  expect(stored()?.tokens.access_token).not.toBe(before?.tokens.access_token);
  expect(s.opened()).toHaveLength(1);
});

test("a revoked refresh token starts a new login, and the call still succeeds", async () => {
  const before = stored();
  await s.as.revokeAccessToken(before?.tokens.access_token ?? "");
  await s.as.revokeRefreshToken(before?.tokens.refresh_token ?? "");
  const grants = s.as.grants.length;
  const who = await call(gw, "prot_whoami");
  expect(who.isError).toBe(false);
  expect(s.opened()).toHaveLength(2);
  expect(s.as.grants.slice(grants)).toEqual(["authorization_code"]);
  expect(stored()?.tokens.refresh_token).not.toBe(before?.tokens.refresh_token);
  // Still the one registration.
  expect(s.as.registrations).toBe(1);
});
