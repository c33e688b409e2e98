// Issue 7, secrets: values from servers' `env`, remote `headers` and `auth.tokens` (literal or
// expanded from ${VAR}) appear in no log line, gateway_status, error or `list` output, even when a
// backend prints them to stderr or a remote server quotes them back in its error page. Every
// captured byte (stdout and stderr, at debug level) is searched for each value.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fixtureCommand } from "../helpers/fixture.ts";
import { textOf } from "../helpers/results.ts";
import { HttpClient } from "./http-client.ts";
import type { RawClient } from "./raw.ts";
import { failureText, Scene } from "./scene.ts";

const T = 30_000;
const SECRETS = {
  env: "envsecret-7f3Kq9WxLm2",
  expanded: "expandedsecret-Rb81ZzQe",
  fixtureEnv: "fixturesecret-Pw4nTt0y",
  header: "hdrsecret-Yv5sN2cXa9",
  apiKey: "apikeysecret-Hq3Lm8Ve",
  token: "authsecret-Df6Jk1Pz0",
  tokenFromEnv: "authenvsecret-Uc7Bn4Ws",
};

const scene = new Scene();
/** A remote MCP endpoint that refuses everyone and quotes the credentials back in its error page. */
let tattler: ReturnType<typeof Bun.serve>;
/** Everything the gateway processes wrote, stdout and stderr. */
const captured: string[] = [];

const leaks = (text: string): string[] =>
  Object.entries(SECRETS)
    .filter(([, v]) => text.includes(v))
    .map(([k]) => k);

beforeAll(() => {
  tattler = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) => {
      const auth = req.headers.get("authorization") ?? "";
      const key = req.headers.get("x-api-key");
      // Servers often quote the bare token ("invalid token: …"), without its "Bearer " scheme.
      const quoted = new URL(req.url).pathname.startsWith("/bare/")
        ? `invalid token ${auth.replace(/^Bearer /, "")}`
        : `denied: authorization=${auth} key=${key}`;
      return new Response(quoted, { status: 401 });
    },
  });
  const { command, args } = fixtureCommand();
  const fixture = [command, ...args].map((a) => `'${a}'`).join(" ");
  scene.writeConfig({
    call_timeout: 10,
    start_timeout: 10,
    servers: {
      // Prints its secrets to stderr and dies: they reach the log, the error and the status.
      leaky: {
        command: "sh",
        args: ["-c", 'echo "leaky has $LEAKY_TOKEN and $LEAKY_EXPANDED" >&2; exit 3'],
        env: { LEAKY_TOKEN: SECRETS.env, LEAKY_EXPANDED: "${SECRET_FROM_ENV}" },
      },
      // Prints its secret to stderr, then runs normally; its crash error quotes the stderr tail.
      chatty: {
        command: "sh",
        args: ["-c", `echo "chatty key=$CHATTY_KEY" >&2; exec ${fixture}`],
        env: { CHATTY_KEY: SECRETS.fixtureEnv },
      },
      remote: {
        url: `http://127.0.0.1:${tattler.port}/mcp`,
        headers: { Authorization: `Bearer ${SECRETS.header}`, "X-Api-Key": SECRETS.apiKey },
      },
    },
    roles: { admin: null },
    auth: {
      tokens: [
        { token: SECRETS.token, role: "admin" },
        { token: "${TOKEN_FROM_ENV}", role: "admin" },
      ],
    },
  });
});

afterAll(async () => {
  tattler.stop(true);
  await scene.cleanup();
});

const ENV = {
  SECRET_FROM_ENV: SECRETS.expanded,
  TOKEN_FROM_ENV: SECRETS.tokenFromEnv,
  MCP_GATEWAY_LOG: "debug",
};

describe("secrets", () => {
  test(
    "stdio: logs, errors and gateway_status never show them",
    async () => {
      const gw: RawClient = await scene.gateway({ env: ENV });
      const failures: string[] = [];
      for (const name of ["_leaky_connect", "_remote_connect"]) {
        const res = await gw.call(name);
        failures.push(failureText(res) ?? `no failure: ${JSON.stringify(res)}`);
      }
      expect(textOf(await gw.call("_chatty_connect"))).toContain("chatty_echo");
      failures.push(failureText(await gw.call("chatty_crash", { code: 4 })) ?? "no failure");
      const status = textOf(await gw.call("gateway_status"));
      const { code } = await scene.shutdown(gw);
      expect(code).toBe(0);
      const out = [...gw.received.map((m) => JSON.stringify(m)), ...gw.junk].join("\n");
      const all = `${out}\n${gw.stderrText()}`;
      captured.push(all);

      // The leak paths were really taken: each failure quotes what the backend said, masked.
      expect(failures[0]).toContain('server "leaky"');
      expect(failures[0]).toContain("leaky has *** and ***");
      expect(failures[1]).toContain('server "remote"');
      expect(gw.stderrText()).toContain("authorization=***");
      expect(failures[2]).toContain("chatty key=***");
      expect(gw.stderrText()).toContain("[chatty] chatty key=***");
      expect(status).toContain("leaky has *** and ***");
      expect({ leaks: leaks(all) }).toEqual({ leaks: [] });
    },
    T,
  );

  test(
    "list, list --json and list --refresh --json never show them",
    async () => {
      for (const extra of [[], ["--json"], ["--refresh", "--json"]]) {
        const r = await scene.run(["list", "--config", scene.config, ...extra], ENV);
        expect(r.code).toBe(0);
        const all = `${r.stdout}\n${r.stderr}`;
        captured.push(all);
        expect({ args: extra, leaks: leaks(all) }).toEqual({ args: extra, leaks: [] });
      }
      // --refresh started everything: the failures were logged (masked).
      expect(captured.at(-1)).toContain("leaky has *** and ***");
    },
    T,
  );

  test(
    "serve: /status, refusals, errors and logs never show them",
    async () => {
      const { proc, url } = await scene.serve({ env: ENV });
      const base = url.replace(/\/mcp$/, "");
      const texts: string[] = [];
      const get = async (path: string, token?: string) => {
        const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
        const res = await fetch(`${base}${path}`, { headers });
        texts.push(await res.text());
        return res.status;
      };
      expect(await get("/status")).toBe(401);
      expect(await get("/status", `${SECRETS.token}x`)).toBe(401);
      const c = new HttpClient(url, { authorization: `Bearer ${SECRETS.tokenFromEnv}` });
      await c.initialize();
      for (const name of ["_leaky_connect", "_remote_connect", "_chatty_connect"])
        texts.push(JSON.stringify(await c.call(name)));
      texts.push(JSON.stringify(await c.call("chatty_crash", { code: 4 })));
      expect(await get("/status", SECRETS.token)).toBe(200);
      expect(texts.at(-1)).toContain("leaky has *** and ***");
      const { code } = await scene.shutdown(proc, 15_000, "SIGTERM");
      expect(code).toBe(0);
      const all = `${texts.join("\n")}\n${proc.stderrText()}`;
      captured.push(all);
      expect({ leaks: leaks(all) }).toEqual({ leaks: [] });
    },
    T,
  );

  test(
    "a config error near a secret does not quote it",
    async () => {
      const file = join(scene.dir.path, "broken.yaml");
      scene.writeConfig(
        {
          servers: {
            fx: { command: "true", env: { TOKEN: SECRETS.env }, unknown_key: SECRETS.expanded },
            bad: { url: `not a url ${SECRETS.header}`, headers: { Authorization: SECRETS.apiKey } },
          },
        },
        file,
      );
      const r = await scene.run(["stdio", "--config", file], ENV);
      expect(r.code).toBe(2);
      expect({ leaks: leaks(`${r.stdout}\n${r.stderr}`) }).toEqual({ leaks: [] });
    },
    T,
  );

  // Once a bug: only the whole header value ("Bearer <token>") was masked, not the bare token.
  test(
    "a remote server quoting the bare bearer token",
    async () => {
      const file = join(scene.dir.path, "bare.yaml");
      scene.writeConfig(
        {
          servers: {
            bare: {
              url: `http://127.0.0.1:${tattler.port}/bare/mcp`,
              headers: { Authorization: `Bearer ${SECRETS.header}` },
            },
          },
        },
        file,
      );
      const r = await scene.run(["list", "--refresh", "--config", file], ENV);
      expect(r.stderr).toContain("invalid token");
      expect({ leaks: leaks(`${r.stdout}\n${r.stderr}`) }).toEqual({ leaks: [] });
    },
    T,
  );

  test("the schema cache on disk holds no secret", () => {
    const dir = join(scene.cacheHome, "mcp-gateway");
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files)
      expect({ file: f, leaks: leaks(readFileSync(join(dir, f), "utf8")) }).toEqual({
        file: f,
        leaks: [],
      });
  });
});
