import type { Id, RpcMessage } from "./jsonrpc.ts";

/**
 * A backend's response keeps the exact line it arrived as, so the stdio front can
 * pass it on with only the id changed instead of serializing it again (a megabyte
 * result is then parsed once and never re-encoded).
 */
const RAW = Symbol("raw line");
const RAW_ID = Symbol("raw id");

interface Carrier {
  [RAW]?: string;
  [RAW_ID]?: Id;
}

/** Remember the line a response was parsed from. */
export function keepRaw(message: RpcMessage, line: string): void {
  if ("method" in message) return;
  const c = message as Carrier;
  c[RAW] = line;
  c[RAW_ID] = (message as { id: Id }).id;
}

/**
 * The line for a message whose id may have been changed since it was parsed:
 * the original text with the id swapped when the id sits where serializers put
 * it (last member, as the TypeScript SDK writes, or right after "jsonrpc", as the
 * Python SDK does); otherwise a fresh JSON.stringify.
 */
export function serialize(message: RpcMessage): string {
  const c = message as Carrier;
  const raw = c[RAW];
  if (raw !== undefined && typeof c[RAW_ID] === "number") {
    const id = (message as { id: Id }).id;
    const swapped = swapId(raw, c[RAW_ID], id);
    if (swapped !== undefined) return swapped;
  }
  return JSON.stringify(message);
}

export function swapId(raw: string, from: number, to: Id): string | undefined {
  const next = JSON.stringify(to);
  const tail = `"id":${from}}`;
  if (raw.endsWith(tail)) {
    // The final "}" closes the top-level object, so the member just before it is top level.
    const before = raw.charCodeAt(raw.length - tail.length - 1);
    if (before === 44 || before === 123)
      return `${raw.slice(0, raw.length - tail.length)}"id":${next}}`;
  }
  const head = `{"jsonrpc":"2.0","id":${from},`;
  if (raw.startsWith(head)) return `{"jsonrpc":"2.0","id":${next},${raw.slice(head.length)}`;
  return undefined;
}
