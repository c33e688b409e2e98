// Raw Streamable HTTP client of the modern era (2026-07-28): no session, no initialize; every POST
// carries the per-request envelope in `_meta` and the standard headers. A request template is
// rebuilt with its envelope once (then cached), so a call is still one string concatenation.
import { isConnectError } from "./client-http.ts";
import { type Client, type Message, SseParser, type Template, template } from "./rpc.ts";

export const MODERN_VERSION = "2026-07-28";

const META = {
  "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
  "io.modelcontextprotocol/clientCapabilities": {},
  "io.modelcontextprotocol/clientInfo": { name: "mcp-gateway-bench", version: "1" },
};

interface Prepared {
  body: Template;
  headers: Record<string, string>;
}

export class ModernClient implements Client {
  private next = 0;
  private readonly prepared = new WeakMap<Template, Prepared>();

  private constructor(private readonly url: string) {}

  /** Waits (up to `deadline`, a Date.now() value) until the server answers server/discover. */
  static async open(url: string, deadline: number): Promise<ModernClient> {
    const client = new ModernClient(url);
    for (;;) {
      try {
        const found = await client.call(template("server/discover", {}));
        if (found.error) throw new Error(`server/discover: ${found.error.message}`);
        return client;
      } catch (e) {
        if (!isConnectError(e) || Date.now() > deadline) throw e;
        await Bun.sleep(5);
      }
    }
  }

  async call(t: Template): Promise<Message> {
    const p = this.prepare(t);
    const id = ++this.next;
    const res = await fetch(this.url, {
      method: "POST",
      headers: p.headers,
      body: `${p.body.head}${id}${p.body.tail}`,
    });
    const text = await res.text();
    const found = (res.headers.get("content-type") ?? "").includes("text/event-stream")
      ? answerIn(text, id)
      : (JSON.parse(text) as Message);
    if (found && (found.id === id || found.error)) return found;
    throw new Error(`HTTP ${res.status}: no answer to request ${id}: ${text.slice(0, 200)}`);
  }

  async notify(): Promise<void> {
    // The modern era has no client notifications over HTTP.
  }

  async close(): Promise<void> {}

  /** The template with the envelope in its params, and its standard headers. */
  private prepare(t: Template): Prepared {
    const known = this.prepared.get(t);
    if (known) return known;
    const msg = JSON.parse(`${t.head}0${t.tail}`) as {
      method: string;
      params?: Record<string, unknown>;
    };
    const params: Record<string, unknown> = { ...msg.params, _meta: META };
    const name = msg.method === "resources/read" ? params.uri : params.name;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": MODERN_VERSION,
      "mcp-method": msg.method,
    };
    if (typeof name === "string") headers["mcp-name"] = name;
    const p = { body: template(msg.method, params), headers };
    this.prepared.set(t, p);
    return p;
  }
}

function answerIn(text: string, id: number): Message | undefined {
  for (const ev of new SseParser().push(`${text}\n\n`)) {
    const msg = JSON.parse(ev.data) as Message;
    if (msg.id === id && !msg.method) return msg;
  }
  return undefined;
}
