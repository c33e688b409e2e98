// A raw Streamable HTTP client: POSTs any bytes with any headers and reads the answer whether it
// comes as JSON or as an SSE stream, recording every message per id, so tests can prove each
// request was answered exactly once. Every read is bounded; a stream still open is aborted.
import type { Id, Message } from "./raw.ts";

export interface HttpReply {
  status: number;
  headers: Headers;
  /** Messages of the reply, in order (SSE events or the JSON body, batches flattened). */
  messages: Message[];
  /** The raw body when it was not SSE. */
  text: string;
  /** True when the stream was still open at the bound and was aborted. */
  cut: boolean;
}

export interface PostOptions {
  headers?: Record<string, string | undefined>;
  /** Bound on reading the reply, in ms. */
  timeout?: number;
  /** Stop reading once every one of these ids has its response. */
  ids?: Id[];
  method?: string;
  signal?: AbortSignal;
}

const flat = (v: unknown): Message[] =>
  (Array.isArray(v) ? v : [v]).filter((m): m is Message => typeof m === "object" && m !== null);

export class HttpClient {
  sessionId?: string;
  protocolVersion = "2025-11-25";
  /** Responses seen per id over every reply of this client. */
  readonly answers = new Map<Id | null, Message[]>();
  /** Requests and notifications the gateway sent this client. */
  readonly incoming: Message[] = [];
  private nextId = 1;

  constructor(
    readonly url: string,
    private readonly base: Record<string, string> = {},
  ) {}

  id(): number {
    return this.nextId++;
  }

  private record(m: Message): void {
    if (m.method !== undefined) {
      this.incoming.push(m);
      return;
    }
    const id = m.id ?? null;
    const list = this.answers.get(id) ?? [];
    list.push(m);
    this.answers.set(id, list);
  }

  headers(extra: Record<string, string | undefined> = {}): Record<string, string> {
    const h: Record<string, string | undefined> = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(this.sessionId ? { "mcp-session-id": this.sessionId } : {}),
      "mcp-protocol-version": this.protocolVersion,
      ...this.base,
      ...extra,
    };
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = v;
    return out;
  }

  /** One HTTP request to the MCP endpoint with `body` as given. */
  async post(body: string | Uint8Array | undefined, opts: PostOptions = {}): Promise<HttpReply> {
    const abort = new AbortController();
    opts.signal?.addEventListener("abort", () => abort.abort());
    const timer = setTimeout(() => abort.abort(), opts.timeout ?? 15_000);
    const reply: HttpReply = {
      status: 0,
      headers: new Headers(),
      messages: [],
      text: "",
      cut: false,
    };
    try {
      const res = await fetch(this.url, {
        method: opts.method ?? "POST",
        headers: this.headers(opts.headers),
        body: body instanceof Uint8Array ? new Blob([new Uint8Array(body)]) : body,
        signal: abort.signal,
      });
      reply.status = res.status;
      reply.headers = res.headers;
      const take = (v: unknown) => {
        for (const m of flat(v)) {
          reply.messages.push(m);
          this.record(m);
        }
      };
      if (!res.headers.get("content-type")?.includes("text/event-stream")) {
        reply.text = await res.text();
        if (reply.text) {
          try {
            take(JSON.parse(reply.text));
          } catch {
            // Not JSON: the test looks at the text.
          }
        }
        return reply;
      }
      await this.readSse(res, take, opts.ids, abort);
    } catch {
      reply.cut = true;
    } finally {
      clearTimeout(timer);
    }
    return reply;
  }

  private async readSse(
    res: Response,
    take: (v: unknown) => void,
    ids: Id[] | undefined,
    abort: AbortController,
  ): Promise<void> {
    const want = new Set(ids ?? []);
    const decoder = new TextDecoder();
    let buffer = "";
    const reader = res.body?.getReader();
    if (!reader) return;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
      for (let i = buffer.indexOf("\n\n"); i >= 0; i = buffer.indexOf("\n\n")) {
        const event = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const data = event
          .split("\n")
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).trimStart())
          .join("\n");
        if (!data) continue;
        const parsed = JSON.parse(data) as unknown;
        take(parsed);
        for (const m of flat(parsed)) if (m.method === undefined && m.id != null) want.delete(m.id);
        if (ids && want.size === 0) {
          abort.abort();
          return;
        }
      }
    }
  }

  /** A request with a fresh id; resolves with its response (rejects when there is none). */
  async request(method: string, params?: object, timeout?: number): Promise<Message> {
    const id = this.id();
    const body = JSON.stringify({ jsonrpc: "2.0", id, method, ...(params ? { params } : {}) });
    const reply = await this.post(body, { ids: [id], timeout });
    const res = reply.messages.find((m) => m.id === id && m.method === undefined);
    if (!res)
      throw new Error(`${method}: no response (HTTP ${reply.status}) ${reply.text.slice(0, 300)}`);
    return res;
  }

  call(name: string, args: object = {}, timeout?: number): Promise<Message> {
    return this.request("tools/call", { name, arguments: args }, timeout);
  }

  async notify(method: string, params?: object): Promise<number> {
    const body = JSON.stringify({ jsonrpc: "2.0", method, ...(params ? { params } : {}) });
    return (await this.post(body)).status;
  }

  /** initialize (opening a session) and notifications/initialized. */
  async initialize(protocolVersion = "2025-11-25"): Promise<Message> {
    this.protocolVersion = protocolVersion;
    const id = this.id();
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id,
      method: "initialize",
      params: {
        protocolVersion,
        capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } },
        clientInfo: { name: "reliability-http", version: "1.0.0" },
      },
    });
    const reply = await this.post(body, {
      ids: [id],
      headers: { "mcp-protocol-version": undefined },
    });
    const sid = reply.headers.get("mcp-session-id");
    const res = reply.messages.find((m) => m.id === id);
    if (!sid || !res?.result)
      throw new Error(`initialize failed: HTTP ${reply.status} ${reply.text}`);
    this.sessionId = sid;
    await this.notify("notifications/initialized");
    return res;
  }

  /** DELETE the session. */
  async close(): Promise<number> {
    const reply = await this.post(undefined, { method: "DELETE", timeout: 5000 });
    return reply.status;
  }
}
