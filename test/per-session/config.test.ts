// share: per_session in the config: `share` and `max_sessions` are checked and located like any
// key; max_sessions and ${MCP_GATEWAY_SESSION} without `share: per_session` are errors, never
// ignored; the variable is kept as written when the config loads (the gateway fills it per
// process), and filled per process with a value of its own.
import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/load.ts";
import { forSession, newSessionValue } from "../../src/config/session-var.ts";
import { isGatewayError } from "../../src/errors.ts";

const FILE = "/x/gateway.yaml";
const load = (text: string, env: Record<string, string> = {}) => parseConfig(text, FILE, env);
function errorOf(text: string): string {
  try {
    load(text);
  } catch (e) {
    if (isGatewayError(e) && e.code === "CONFIG") return e.message;
    throw e;
  }
  throw new Error("expected a config error");
}

describe("share and max_sessions", () => {
  test("accepted with per_session; the variable kept as written, even when the environment has it", () => {
    const text = `servers:
  kg:
    command: srv
    args: ["--db", "/tmp/kg-\${MCP_GATEWAY_SESSION}.db"]
    env: { HOME_DIR: "\${HOME_DIR:-/h}/\${MCP_GATEWAY_SESSION}" }
    share: per_session
    max_sessions: 3
`;
    const s = load(text, { MCP_GATEWAY_SESSION: "outer" }).servers.kg;
    expect(s).toMatchObject({
      share: "per_session",
      max_sessions: 3,
      args: ["--db", "/tmp/kg-${MCP_GATEWAY_SESSION}.db"],
      env: { HOME_DIR: "/h/${MCP_GATEWAY_SESSION}" },
    });
  });

  test("errors, located: a bad value, max_sessions or the variable without per_session", () => {
    expect(errorOf("servers:\n  fx:\n    command: srv\n    share: always\n")).toBe(
      `${FILE}:4:12: servers.fx.share: expected one of "shared", "per_session"`,
    );
    expect(errorOf("servers:\n  fx:\n    command: srv\n    max_sessions: 2\n")).toBe(
      `${FILE}:4:19: servers.fx.max_sessions: max_sessions needs share: per_session`,
    );
    expect(
      errorOf(
        "servers:\n  fx:\n    url: https://h/mcp/${MCP_GATEWAY_SESSION}\n    share: shared\n",
      ),
    ).toBe(
      `${FILE}:4:12: servers.fx.share: \${MCP_GATEWAY_SESSION} is filled per session: it needs share: per_session`,
    );
    expect(
      errorOf("servers:\n  fx:\n    command: srv\n    share: per_session\n    max_sessions: 0\n"),
    ).toContain("servers.fx.max_sessions");
  });

  test("filled per process: each value its own, in the settings and a stdio server's environment", () => {
    const config = {
      command: "srv",
      args: ["/tmp/kg-${MCP_GATEWAY_SESSION}.db"],
      env: { A: "x" } as Record<string, string>,
      enabled: true,
    };
    const [v1, v2] = [newSessionValue(), newSessionValue()];
    expect(v1).toMatch(/^[0-9a-f]{12}$/);
    expect(v1).not.toBe(v2);
    expect(forSession(config, v1)).toEqual({
      command: "srv",
      args: [`/tmp/kg-${v1}.db`],
      env: { A: "x", MCP_GATEWAY_SESSION: v1 },
      enabled: true,
    });
    // The server's own settings are left as they were.
    expect(config.args).toEqual(["/tmp/kg-${MCP_GATEWAY_SESSION}.db"]);
  });
});
