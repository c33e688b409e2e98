import type { Id, RpcMessage } from "../jsonrpc.ts";
import { serialize } from "../raw.ts";
import { KEEPALIVE_COMMENT, SSE_HEADERS } from "./sse-format.ts";

const encoder = new TextEncoder();

export interface ExchangeHooks {
  /** The legacy session's id, sent back as Mcp-Session-Id (the modern era has none). */
  sessionId?: string;
  keepAliveMs: number;
  /** Store an event for resumption; returns its id (`<stream>_<n>`). Modern streams are not resumable. */
  store?(stream: string, json: string): string;
  /** The stored events of a stream after an event id, oldest first. */
  after?(eventId: string): Array<{ id: string; json: string }>;
  /** The HTTP status of an answer sent as plain JSON (default 200). */
  status?(answer: RpcMessage): number;
  /** The exchange is over (answered, cancelled or closed). */
  ended(id: Id): void;
  /** The client closed the stream before the answer (for modern requests: a cancellation). */
  dropped?(): void;
}

/**
 * One POSTed request of a Streamable HTTP session, answered by the gateway itself:
 * as plain JSON when the answer comes first (most calls), or as an SSE stream as soon
 * as a message related to it (progress, a log line, a sampling request) comes first.
 * Skipping the per-request SSE stream is most of what a call costs on this front.
 * Stream events are stored, so a client that drops the stream resumes it with
 * Last-Event-ID and gets what it missed.
 */
export class Exchange {
  readonly response: Promise<Response>;
  readonly stream = crypto.randomUUID();
  private resolve!: (r: Response) => void;
  private controller?: ReadableStreamDefaultController<Uint8Array>;
  private keepAlive?: Timer;
  private streaming = false;
  private over = false;

  constructor(
    readonly id: Id,
    private readonly hooks: ExchangeHooks,
  ) {
    this.response = new Promise((r) => {
      this.resolve = r;
    });
  }

  /** A message for this request: its answer, or something related to it. */
  push(m: RpcMessage): void {
    if (this.over) return;
    const answer = !("method" in m) && m.id === this.id;
    if (answer && !this.streaming) {
      this.end();
      this.resolve(
        new Response(serialize(m), {
          status: this.hooks.status?.(m) ?? 200,
          headers: this.headers({ "content-type": "application/json" }),
        }),
      );
      return;
    }
    if (!this.streaming) {
      this.streaming = true;
      this.resolve(this.open());
    }
    const json = serialize(m);
    const eventId = this.hooks.store?.(this.stream, json);
    this.write(`${eventId ? `id: ${eventId}\n` : ""}event: message\ndata: ${json}\n\n`);
    if (answer) this.close();
  }

  /** The client resumes the stream it dropped: what it missed, then the rest as it comes. */
  resume(lastEventId: string): Response {
    this.detach();
    const res = this.open();
    for (const e of this.hooks.after?.(lastEventId) ?? [])
      this.write(`id: ${e.id}\nevent: message\ndata: ${e.json}\n\n`);
    return res;
  }

  /** No answer will come (cancelled, or the session is closing): end the response cleanly. */
  close(): void {
    if (this.over) return;
    if (!this.streaming) {
      this.streaming = true;
      this.resolve(this.open());
    }
    const c = this.controller;
    this.end();
    try {
      c?.close();
    } catch {
      // the client already left
    }
  }

  private open(): Response {
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.controller = c;
      },
      // The client went away: keep storing events for a resume; the session's grace decides.
      cancel: () => {
        this.detach();
        this.hooks.dropped?.();
      },
    });
    this.keepAlive = setInterval(() => this.write(KEEPALIVE_COMMENT), this.hooks.keepAliveMs);
    return new Response(body, { headers: this.headers(SSE_HEADERS) });
  }

  private headers(base: Record<string, string>): Record<string, string> {
    const sid = this.hooks.sessionId;
    return sid === undefined ? base : { ...base, "mcp-session-id": sid };
  }

  private write(text: string): void {
    try {
      this.controller?.enqueue(encoder.encode(text));
    } catch {
      this.detach();
    }
  }

  private detach(): void {
    clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    this.controller = undefined;
  }

  private end(): void {
    if (this.over) return;
    this.over = true;
    clearInterval(this.keepAlive);
    this.hooks.ended(this.id);
  }
}
