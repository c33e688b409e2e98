// Two servers behind one authorization server, and a machine client: each server gets tokens of
// its own (bound to its URL by the resource indicator), one client registration serves both; a
// `client_credentials` server never opens a browser and renews its token by itself.
import { afterAll, expect, test } from "bun:test";
import { call, leaked, scene, stdio, stopGateway } from "./harness.ts";

const SECRET = "machine-secret-0123456789abcdef";

test("two servers on one authorization server: tokens kept apart, one registration", async () => {
  const s = await scene({ names: ["one", "two"] });
  afterAll(() => s.stop());
  const gw = await stdio(s);
  try {
    for (const name of ["one", "two"]) {
      expect((await call(gw, `_${name}_connect`)).isError).toBe(false);
      const who = JSON.parse((await call(gw, `${name}_whoami`)).text) as { aud: string[] };
      expect(who.aud).toEqual([s.servers[name]?.url ?? ""]);
    }
    const stored = s.tokens();
    const one = stored?.servers.one?.tokens.access_token;
    const two = stored?.servers.two?.tokens.access_token;
    expect(one).toBeString();
    expect(two).toBeString();
    expect(one).not.toBe(two);
    // Each server saw only its own token.
    expect(s.servers.one?.accepted.every((t) => t === one)).toBe(true);
    expect(s.servers.two?.accepted.every((t) => t === two)).toBe(true);
    // A login per server (each token is for one resource), but a single registration.
    expect(s.opened()).toHaveLength(2);
    expect(s.as.registrations).toBe(1);
    expect(stored?.clients).toHaveLength(1);
    const [a, b] = s.opened().map((u) => new URL(u).searchParams);
    expect(a?.get("client_id")).toBe(b?.get("client_id") ?? "");
    expect(a?.get("redirect_uri")).toBe(b?.get("redirect_uri") ?? "");
  } finally {
    await stopGateway(gw);
  }
  expect(leaked(s, gw.stderrText(), JSON.stringify(gw.messages))).toEqual([]);
});

test("client_credentials: no browser, a token by the machine's own secret, renewed when due", async () => {
  const s = await scene({
    accessTokenTtl: 4,
    clients: [
      {
        client_id: "machine",
        client_secret: SECRET,
        grant_types: ["client_credentials"],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    extra: {
      prot: '    oauth: { grant: client_credentials, client_id: machine, client_secret: "${MACHINE_SECRET}" }',
    },
  });
  afterAll(() => s.stop());
  const gw = await stdio(s, { MACHINE_SECRET: SECRET });
  try {
    expect((await call(gw, "_prot_connect")).isError).toBe(false);
    const who = JSON.parse((await call(gw, "prot_whoami")).text) as { clientId: string };
    expect(who.clientId).toBe("machine");
    expect(s.opened()).toHaveLength(0);
    expect(s.as.grants).toEqual(["client_credentials"]);
    const first = s.tokens()?.servers.prot;
    await Bun.sleep(Math.max(0, (first?.expires_at ?? 0) - 900 - Date.now()));
    expect((await call(gw, "prot_whoami")).isError).toBe(false);
    expect(s.as.grants).toEqual(["client_credentials", "client_credentials"]);
    expect(s.tokens()?.servers.prot?.tokens.access_token).not.toBe(first?.tokens.access_token);
    expect(s.servers.prot?.unauthorized).toBe(1);
  } finally {
    await stopGateway(gw);
  }
  const text = `${gw.stderrText()}\n${JSON.stringify(gw.messages)}`;
  expect(text).not.toContain(SECRET);
  expect(leaked(s, text)).toEqual([]);
});
