// The raw JSON-RPC side shared by the load clients: request bodies built once with the id at the
// end (so a call is one string concatenation), response matching by id, and a small SSE parser.

export interface Message {
  id?: number | string | null;
  method?: string;
  result?: { isError?: boolean; [key: string]: unknown };
  error?: { code: number; message: string };
}

/** A request body split around its id: `head + id + tail` is the whole JSON text. */
export interface Template {
  head: string;
  tail: string;
}

export function template(method: string, params?: object): Template {
  const body = JSON.stringify({ jsonrpc: "2.0", method, params });
  return { head: `${body.slice(0, -1)},"id":`, tail: "}" };
}

export const notification = (method: string): string => JSON.stringify({ jsonrpc: "2.0", method });

export const PROTOCOL_VERSION = "2025-06-18";

export const INITIALIZE = template("initialize", {
  protocolVersion: PROTOCOL_VERSION,
  capabilities: {},
  clientInfo: { name: "mcp-gateway-bench", version: "1" },
});
export const INITIALIZED = notification("notifications/initialized");
export const TOOLS_LIST = template("tools/list", {});

export const echo = (tool: string, message: string): Template =>
  template("tools/call", { name: tool, arguments: { message } });

/** One JSON-RPC client over some transport: a call resolves with the response (result or error). */
export interface Client {
  call(t: Template): Promise<Message>;
  notify(body: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The answer a client owes a server's request (roots/list and the like): empty roots, otherwise
 * "method not found". Keeps a backend from waiting on us.
 */
export function replyTo(msg: Message): string {
  const id = JSON.stringify(msg.id);
  return msg.method === "roots/list"
    ? `{"jsonrpc":"2.0","id":${id},"result":{"roots":[]}}`
    : `{"jsonrpc":"2.0","id":${id},"error":{"code":-32601,"message":"not supported by the bench client"}}`;
}

type Settle = (msg: Message) => void;

/** In-flight requests by id; ids are small integers, never reused within a client. */
export class Pending {
  private next = 0;
  private readonly waiting = new Map<number, { ok: Settle; fail: (e: Error) => void }>();

  add(): [number, Promise<Message>] {
    const id = ++this.next;
    const p = new Promise<Message>((ok, fail) => this.waiting.set(id, { ok, fail }));
    return [id, p];
  }

  /** Settles the request this response answers; false when it answers none. */
  settle(msg: Message): boolean {
    if (typeof msg.id !== "number") return false;
    const w = this.waiting.get(msg.id);
    if (!w) return false;
    this.waiting.delete(msg.id);
    w.ok(msg);
    return true;
  }

  fail(id: number, e: Error): void {
    this.waiting.get(id)?.fail(e);
    this.waiting.delete(id);
  }

  failAll(e: Error): void {
    for (const w of this.waiting.values()) w.fail(e);
    this.waiting.clear();
  }
}

/** A request from the server (has a method and an id), as opposed to a response or notification. */
export const isServerRequest = (msg: Message): boolean =>
  msg.method !== undefined && msg.id !== undefined && msg.id !== null;

export interface SseEvent {
  event: string;
  data: string;
}

/** Incremental text/event-stream parser; copes with events split across chunks and 1 MB data. */
export class SseParser {
  private buf = "";
  private event = "";
  private data: string[] = [];

  push(chunk: string, out: SseEvent[] = []): SseEvent[] {
    this.buf += chunk;
    let start = 0;
    for (let nl = this.buf.indexOf("\n"); nl >= 0; nl = this.buf.indexOf("\n", start)) {
      let line = this.buf.slice(start, nl);
      start = nl + 1;
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (line === "") {
        if (this.data.length > 0)
          out.push({ event: this.event || "message", data: this.data.join("\n") });
        this.event = "";
        this.data = [];
      } else if (line.startsWith("data:")) this.data.push(line.slice(line[5] === " " ? 6 : 5));
      else if (line.startsWith("event:")) this.event = line.slice(6).trim();
      // comments (":") and id/retry fields are not needed here
    }
    this.buf = this.buf.slice(start);
    return out;
  }
}
