/**
 * The Dockerfile cannot be built here (no container engine), so its parts are checked: the
 * command it runs, and its built-in config, loaded by the real binary with and without the token.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/tmp.ts";
import { hostRelease, INITIALIZE, ROOT, run, SLOW } from "./helpers.ts";

const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const config = /^COPY <<'EOF' \/etc\/mcp-gateway\/gateway\.yaml\n([\s\S]*?)^EOF$/m.exec(
  dockerfile,
)?.[1];
let binary = "";

beforeAll(async () => {
  const release = await hostRelease();
  binary = join(ROOT, "dist", release.target.built);
}, 300_000);

describe("Dockerfile", () => {
  test("serves on 0.0.0.0 with its config, never with --insecure", () => {
    expect(dockerfile).toContain('CMD ["serve", "--host", "0.0.0.0", "--port", "8765"]');
    expect(dockerfile).toContain("MCP_GATEWAY_CONFIG=/etc/mcp-gateway/gateway.yaml");
    expect(dockerfile).not.toContain("--insecure");
    expect(config).toContain("${MCP_GATEWAY_TOKEN}");
  });

  test(
    "its config loads with MCP_GATEWAY_TOKEN set and stops the gateway without it",
    async () => {
      using tmp = tempDir("mcp-gateway-docker-");
      const file = join(tmp.path, "gateway.yaml");
      writeFileSync(file, config ?? "");
      const env = { PATH: "/usr/bin:/bin", HOME: tmp.path, MCP_GATEWAY_CONFIG: file };

      const withToken = await run([binary, "list"], {
        env: { ...env, MCP_GATEWAY_TOKEN: "s3cret" },
      });
      expect(withToken.stderr).not.toContain("MCP_GATEWAY_TOKEN");
      expect(withToken.code).toBe(0);

      const without = await run([binary, "list"], { env });
      expect(without.code).toBe(2);
      expect(without.stderr).toContain("MCP_GATEWAY_TOKEN is not set");
    },
    SLOW,
  );

  test(
    "its config serves MCP over HTTP only to a bearer of the token",
    async () => {
      using tmp = tempDir("mcp-gateway-docker-");
      const file = join(tmp.path, "gateway.yaml");
      writeFileSync(file, config ?? "");
      // The image binds 0.0.0.0; tests stay on loopback.
      const proc = Bun.spawn([binary, "serve", "--host", "127.0.0.1", "--port", "0"], {
        env: {
          PATH: "/usr/bin:/bin",
          HOME: tmp.path,
          MCP_GATEWAY_CONFIG: file,
          MCP_GATEWAY_TOKEN: "s3cret",
        },
        stdin: "ignore",
        stdout: "ignore",
        stderr: "pipe",
      });
      try {
        const url = await servingUrl(proc.stderr);
        const initialize = (headers: Record<string, string>) =>
          fetch(url, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              accept: "application/json, text/event-stream",
              ...headers,
            },
            body: JSON.stringify({
              jsonrpc: "2.0",
              id: 1,
              method: "initialize",
              params: INITIALIZE,
            }),
          });
        expect((await initialize({})).status).toBe(401);
        expect((await initialize({ authorization: "Bearer wrong" })).status).toBe(401);
        const ok = await initialize({ authorization: "Bearer s3cret" });
        expect(ok.status).toBe(200);
        expect(await ok.text()).toContain('"serverInfo"');
      } finally {
        proc.kill("SIGKILL");
        await proc.exited;
      }
    },
    SLOW,
  );
});

/** The URL from the "serving MCP at …" log line; bounded. */
async function servingUrl(stderr: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stderr.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = setTimeout(() => reader.cancel(), 30_000);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`gateway did not start serving:\n${text}`);
      text += decoder.decode(value, { stream: true });
      const url = /serving MCP at (http:\/\/\S+)/.exec(text)?.[1];
      if (url) return url;
    }
  } finally {
    clearTimeout(deadline);
    reader.releaseLock();
  }
}
