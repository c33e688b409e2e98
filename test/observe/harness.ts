// The observability tests' shared parts: scene, echo backend, HTTP client, /metrics samples.
import { join } from "node:path";
import { fixtureCommand } from "../helpers/fixture.ts";
import { killTree } from "../helpers/proc.ts";
import { HttpClient } from "../reliability/http-client.ts";
import { Scene } from "../reliability/scene.ts";

export { Scene };

export const ECHO_BACKEND = join(import.meta.dir, "echo-backend.ts");
export const echoBackend = () => ({ command: process.execPath, args: [ECHO_BACKEND] });
export const fixture = (flags: string[] = []) => fixtureCommand(flags);

/** The OTEL_* variables emptied (empty is unset), so a developer's own cannot turn traces on. */
export const NO_OTEL: Record<string, string> = {
  OTEL_EXPORTER_OTLP_ENDPOINT: "",
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "",
  OTEL_TRACES_EXPORTER: "",
};

/** The echo backend over Streamable HTTP, as its own process; stop() kills it by pid. */
export async function echoHttp(): Promise<{ url: string; stop(): Promise<void> }> {
  const proc = Bun.spawn([process.execPath, ECHO_BACKEND, "--http"], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = proc.stdout.getReader();
  let text = "";
  const deadline = Date.now() + 10_000;
  while (!text.includes("\n")) {
    if (Date.now() > deadline) throw new Error("echo backend did not print its URL");
    const { done, value } = await reader.read();
    if (done) throw new Error("echo backend exited before printing its URL");
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return { url: text.trim(), stop: () => killTree(proc.pid).catch(() => {}) };
}

/** A Streamable HTTP MCP client of the gateway at `url`, initialized, with `token` if given. */
export async function client(url: string, token?: string): Promise<HttpClient> {
  const c = new HttpClient(url, token ? { authorization: `Bearer ${token}` } : {});
  await c.initialize("2025-06-18");
  return c;
}

/** GET a path of the gateway whose MCP endpoint is `mcpUrl`. */
export function get(
  mcpUrl: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(new URL(path, mcpUrl), { headers });
}

/** /metrics as text (throws on a status other than 200). */
export async function scrape(
  mcpUrl: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await get(mcpUrl, "/metrics", headers);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`/metrics: HTTP ${res.status}: ${text}`);
  return text;
}

/** The value of the sample `name{labels}` (labels matched as a subset), or undefined. */
export function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const inner = /\{(.*)\}/.exec(line)?.[1] ?? "";
    const has = Object.entries(labels).every(([k, v]) => inner.includes(`${k}="${v}"`));
    if (has) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}
