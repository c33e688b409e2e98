// The loopback redirect listener (127.0.0.1:PORT/callback), one per port, routing answers by `state`.
import type { Server } from "bun";
import { errorMessage } from "../errors.ts";

/** What a login does with its authorization response; resolves to the page's message. */
export type CallbackHandler = (params: URLSearchParams) => Promise<string>;

interface Listener {
  server: Server<undefined>;
  handlers: Map<string, CallbackHandler>;
}

const listeners = new Map<number, Listener>();

export const redirectUri = (port: number): string => `http://127.0.0.1:${port}/callback`;

/** A port that is free now (bound and released), for a redirect URI nobody configured. */
export function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (status: number, text: string) =>
  new Response(
    `<!doctype html><meta charset="utf-8"><title>mcp-gateway</title><p>${escapeHtml(text)}</p>\n`,
    {
      status,
      headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
    },
  );

async function answer(listener: Listener, req: Request): Promise<Response> {
  const url = new URL(req.url);
  if (req.method !== "GET" || url.pathname !== "/callback") return page(404, "Not found.");
  const state = url.searchParams.get("state") ?? "";
  const handler = listener.handlers.get(state);
  if (!handler)
    return page(400, "This login link is unknown or has expired. Start the login again.");
  listener.handlers.delete(state);
  try {
    return page(200, await handler(url.searchParams));
  } catch (e) {
    return page(400, `The login failed: ${errorMessage(e)}`);
  }
}

/**
 * Route the authorization response carrying `state` on `port` to `handler` until `release` is
 * called. Throws when the port cannot be bound (another program holds it).
 */
export function awaitCallback(port: number, state: string, handler: CallbackHandler): () => void {
  let listener = listeners.get(port);
  if (!listener) {
    const handlers = new Map<string, CallbackHandler>();
    const created: Listener = {
      handlers,
      server: Bun.serve({
        hostname: "127.0.0.1",
        port,
        fetch: (req) => answer(created, req),
      }),
    };
    listener = created;
    listeners.set(port, listener);
  }
  listener.handlers.set(state, handler);
  const own = listener;
  return () => {
    own.handlers.delete(state);
    if (own.handlers.size > 0 || listeners.get(port) !== own) return;
    listeners.delete(port);
    // Not forced: the release may come from the very request being answered (the login's end).
    void own.server.stop();
  };
}
