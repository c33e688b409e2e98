// A login nobody has completed yet: the call waits start_timeout, then answers with a tool error
// naming the server, the URL and `mcp-gateway login`; gateway_status and /status show the
// pending login; opening the URL later completes it in the background and the next call works.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { waitFor } from "../helpers/proc.ts";
import { spawnRpc } from "../helpers/rpc.ts";
import {
  call,
  cli,
  FOLLOW,
  leaked,
  MAIN,
  type Scene,
  scene,
  stdio,
  stopGateway,
} from "./harness.ts";

let s: Scene;
beforeAll(async () => {
  s = await scene({ top: "start_timeout: 1", browser: "ignore" });
});
afterAll(async () => {
  await s.stop();
});

const needsLogin = (url: string) =>
  `server "prot" needs a login: open ${url} in a browser, or run: mcp-gateway login prot`;

/** The person opens the link (the stand-in browser, this time following it). */
async function openLink(url: string): Promise<void> {
  const proc = Bun.spawn([process.execPath, FOLLOW, url], {
    env: { ...process.env, FOLLOW_MODE: "follow", FOLLOW_LOG: "" },
    stderr: "pipe",
  });
  const code = await proc.exited;
  if (code !== 0) throw new Error(`the browser failed: ${await new Response(proc.stderr).text()}`);
}

test("stdio: the call answers a tool error with the link; status shows it; opening it later logs in", async () => {
  const gw = await stdio(s);
  try {
    const started = Date.now();
    const first = await call(gw, "_prot_connect");
    expect(first.isError).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const url = s.opened()[0] ?? "";
    expect(url).toStartWith(`${s.as.issuer}/auth?`);
    expect(first.text).toBe(needsLogin(url));

    const status = JSON.parse((await call(gw, "gateway_status")).text) as {
      servers: Array<{ login?: { state: string; url?: string } }>;
    };
    expect(status.servers[0]?.login).toMatchObject({ state: "pending", url });

    // Asked again before the person acted: the same link, no second browser.
    const again = await call(gw, "_prot_connect");
    expect(again.text).toBe(needsLogin(url));
    expect(s.opened()).toHaveLength(1);

    await openLink(url);
    await waitFor(
      async () => {
        const st = JSON.parse((await call(gw, "gateway_status")).text) as typeof status;
        return st.servers[0]?.login?.state === "logged in";
      },
      { timeout: 10_000, message: "the background login to complete" },
    );
    const connected = await call(gw, "_prot_connect");
    expect(connected.isError).toBe(false);
    expect((await call(gw, "prot_whoami")).isError).toBe(false);
    expect(s.opened()).toHaveLength(1);
  } finally {
    await stopGateway(gw);
  }
  expect(leaked(s, gw.stderrText(), JSON.stringify(gw.messages))).toEqual([]);
});

/** One JSON-RPC request over Streamable HTTP; the answer from a JSON or SSE body. */
async function post(url: string, body: object, session?: string) {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25",
      ...(session ? { "mcp-session-id": session } : {}),
    },
    body: JSON.stringify({ jsonrpc: "2.0", ...body }),
  });
  const text = await res.text();
  const data = text.startsWith("{") ? text : (/^data: (.+)$/m.exec(text)?.[1] ?? "{}");
  return { session: res.headers.get("mcp-session-id") ?? session, msg: JSON.parse(data) };
}

test("serve: /status shows the pending login (never a token) while the tool call says what to do", async () => {
  expect((await cli(s, ["logout", "prot"])).code).toBe(0);
  const opened = s.opened().length;
  const gw = spawnRpc(process.execPath, [MAIN, "serve", "--port", "0", "--config", s.config], {
    env: s.env,
  });
  try {
    const base = await waitFor(
      () => /serving MCP at (http:\/\/\S+)\/mcp/.exec(gw.stderrText())?.[1],
      {
        timeout: 20_000,
        message: "serve to listen",
      },
    );
    const init = await post(`${base}/mcp`, {
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "t", version: "1" },
      },
    });
    await post(`${base}/mcp`, { method: "notifications/initialized" }, init.session ?? undefined);
    const called = await post(
      `${base}/mcp`,
      { id: 2, method: "tools/call", params: { name: "_prot_connect", arguments: {} } },
      init.session ?? undefined,
    );
    const url = s.opened()[opened] ?? "";
    expect(called.msg.result.isError).toBe(true);
    expect(called.msg.result.content[0].text).toBe(needsLogin(url));
    const status = (await (await fetch(`${base}/status`)).json()) as {
      servers: Array<{ login?: { state: string; url?: string } }>;
    };
    expect(status.servers[0]?.login).toMatchObject({ state: "pending", url });
    await openLink(url);
    await waitFor(
      async () => {
        const st = (await (await fetch(`${base}/status`)).json()) as typeof status;
        return st.servers[0]?.login?.state === "logged in";
      },
      { timeout: 10_000, message: "the background login to complete" },
    );
    const statusText = await (await fetch(`${base}/status`)).text();
    expect(leaked(s, statusText, gw.stderrText())).toEqual([]);
  } finally {
    gw.kill("SIGTERM");
    await Promise.race([gw.exited, Bun.sleep(5000)]);
    gw.kill();
  }
});
