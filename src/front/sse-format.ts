/** Under Bun.serve's 10 s idle limit, so quiet streams are never cut. */
export const KEEPALIVE_MS = 5000;

/** A comment line: clients ignore it, proxies and Bun.serve see traffic. */
export const KEEPALIVE_COMMENT = ": keepalive\n\n";

/** Headers of every SSE stream the gateway writes itself. */
export const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};
