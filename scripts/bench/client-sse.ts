// Raw legacy HTTP+SSE client: one GET stream carries every answer; each request is a POST to the
// endpoint the stream announced first (`event: endpoint`), answered 202 and then on the stream.
import { isConnectError } from "./client-http.ts";
import {
  type Client,
  isServerRequest,
  type Message,
  Pending,
  replyTo,
  SseParser,
  type Template,
} from "./rpc.ts";
import { errorText, within } from "./within.ts";

const HEADERS = { "content-type": "application/json" };

export class SseClient implements Client {
  private readonly pending = new Pending();
  private readonly abort = new AbortController();
  private endpoint = "";

  private constructor() {}

  /**
   * Opens the stream and waits for the endpoint. Retries, up to `deadline`, while nothing listens
   * yet or the server answers 5xx (mcp-hub does until its backends are connected).
   */
  static async open(sseUrl: string, deadline: number): Promise<SseClient> {
    const client = new SseClient();
    let res: Response;
    for (;;) {
      try {
        res = await fetch(sseUrl, {
          headers: { accept: "text/event-stream" },
          signal: client.abort.signal,
        });
        if (res.status < 500 || Date.now() > deadline) break;
        await res.body?.cancel();
      } catch (e) {
        if (!isConnectError(e) || Date.now() > deadline) throw e;
      }
      await Bun.sleep(5);
    }
    if (!res.ok || !res.body) throw new Error(`GET ${sseUrl}: HTTP ${res.status}`);
    let announced: (url: string) => void = () => {};
    const endpoint = new Promise<string>((resolve) => {
      announced = resolve;
    });
    client.read(res.body, sseUrl, announced).catch(() => {});
    const wait = Math.max(deadline - Date.now(), 1000);
    client.endpoint = await within(wait, `GET ${sseUrl}: endpoint event`, endpoint).catch((e) => {
      client.abort.abort();
      throw e;
    });
    return client;
  }

  async call(t: Template): Promise<Message> {
    const [id, answer] = this.pending.add();
    try {
      const res = await fetch(this.endpoint, {
        method: "POST",
        headers: HEADERS,
        body: `${t.head}${id}${t.tail}`,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`POST: HTTP ${res.status}: ${text.slice(0, 200)}`);
    } catch (e) {
      this.pending.fail(id, new Error(errorText(e)));
    }
    return answer;
  }

  async notify(body: string): Promise<void> {
    const res = await fetch(this.endpoint, { method: "POST", headers: HEADERS, body });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`POST: HTTP ${res.status}`);
  }

  async close(): Promise<void> {
    this.abort.abort();
    this.pending.failAll(new Error("closed"));
  }

  private async read(
    body: ReadableStream<Uint8Array>,
    base: string,
    announced: (url: string) => void,
  ): Promise<void> {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        for (const ev of parser.push(decoder.decode(chunk, { stream: true }))) {
          if (ev.event === "endpoint") announced(new URL(ev.data, base).href);
          else this.dispatch(ev.data);
        }
      }
    } finally {
      this.pending.failAll(new Error("the SSE stream ended"));
    }
  }

  private dispatch(data: string): void {
    let msg: Message;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (isServerRequest(msg)) this.notify(replyTo(msg)).catch(() => {});
    else this.pending.settle(msg);
  }
}
