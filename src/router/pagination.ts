import { ErrorCode, RpcError } from "../jsonrpc.ts";

/** Clients get lists in pages this long; most gateways never need a second page. */
export const PAGE_SIZE = 1000;

/** Serve one page of a list the gateway assembled, with an opaque offset cursor. */
export function page<T>(
  key: string,
  items: readonly T[],
  cursor: unknown,
): Record<string, unknown> {
  let start = 0;
  if (cursor !== undefined) {
    const n =
      typeof cursor === "string" ? Number(Buffer.from(cursor, "base64url").toString()) : Number.NaN;
    if (!Number.isInteger(n) || n < 0 || n > items.length)
      throw new RpcError(ErrorCode.InvalidParams, `Invalid cursor: ${JSON.stringify(cursor)}`);
    start = n;
  }
  if (start === 0 && items.length <= PAGE_SIZE) return { [key]: items };
  const end = start + PAGE_SIZE;
  const out: Record<string, unknown> = { [key]: items.slice(start, end) };
  if (end < items.length) out.nextCursor = Buffer.from(String(end)).toString("base64url");
  return out;
}
