// Raw Streamable HTTP client: one POST per request with a pre-built body, the answer read from a
// JSON body or from the request's own SSE stream. No SDK client: it spends about 1 ms of CPU per
// call, which on 2 cores would measure the client rather than the server.
import {
  type Client,
  INITIALIZE,
  isServerRequest,
  type Message,
  PROTOCOL_VERSION,
  replyTo,
  SseParser,
  type Template,
} from "./rpc.ts";

export class StreamableClient implements Client {
  private next = 0;
  private headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
  };

  private constructor(private readonly url: string) {}

  /**
   * Initializes a session, retrying while nothing listens yet (the process is still starting),
   * up to `deadline` (a Date.now() value).
   */
  static async open(url: string, deadline: number): Promise<StreamableClient> {
    const client = new StreamableClient(url);
    for (;;) {
      try {
        const init = await client.post(INITIALIZE);
        if (init.msg.error) throw new Error(`initialize: ${init.msg.error.message}`);
        const session = init.res.headers.get("mcp-session-id");
        if (session) client.headers["mcp-session-id"] = session;
        client.headers["mcp-protocol-version"] = PROTOCOL_VERSION;
        return client;
      } catch (e) {
        if (!isConnectError(e) || Date.now() > deadline) throw e;
        await Bun.sleep(5);
      }
    }
  }

  async call(t: Template): Promise<Message> {
    return (await this.post(t)).msg;
  }

  async notify(body: string): Promise<void> {
    const res = await fetch(this.url, { method: "POST", headers: this.headers, body });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`notification: HTTP ${res.status}`);
  }

  async close(): Promise<void> {
    if (!this.headers["mcp-session-id"]) return;
    await fetch(this.url, {
      method: "DELETE",
      headers: this.headers,
      signal: AbortSignal.timeout(1000),
    })
      .then((r) => r.arrayBuffer())
      .catch(() => {});
  }

  private async post(t: Template): Promise<{ res: Response; msg: Message }> {
    const id = ++this.next;
    const res = await fetch(this.url, {
      method: "POST",
      headers: this.headers,
      body: `${t.head}${id}${t.tail}`,
    });
    const text = await res.text();
    const type = res.headers.get("content-type") ?? "";
    const found = type.includes("text/event-stream")
      ? await this.fromStream(text, id)
      : parseJson(text);
    if (found && (found.id === id || found.error)) return { res, msg: found };
    throw new Error(
      `HTTP ${res.status} ${type}: no answer to request ${id}: ${text.slice(0, 200)}`,
    );
  }

  /** The answer among the events of a request's SSE stream; server requests get answered. */
  private async fromStream(text: string, id: number): Promise<Message | undefined> {
    let answer: Message | undefined;
    for (const ev of new SseParser().push(`${text}\n\n`)) {
      const msg = parseJson(ev.data);
      if (!msg) continue;
      if (msg.id === id && !msg.method) answer = msg;
      else if (isServerRequest(msg)) await this.notify(replyTo(msg)).catch(() => {});
    }
    return answer;
  }
}

function parseJson(text: string): Message | undefined {
  try {
    return JSON.parse(text) as Message;
  } catch {
    return undefined;
  }
}

/** Nothing listening yet: worth retrying while the process starts. */
export function isConnectError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  const text = e instanceof Error ? e.message : String(e);
  return (
    code === "ConnectionRefused" || code === "ECONNREFUSED" || /refused|ECONNRESET/i.test(text)
  );
}
