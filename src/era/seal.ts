/**
 * Request state the gateway hands a client and must get back unchanged: an HMAC-sealed payload
 * with an expiry, bound to the caller that got it. The key lives in this process only, so state
 * from an earlier run (or another gateway) fails like tampered state.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const KEY = randomBytes(32);

const mac = (body: string): Buffer => createHmac("sha256", KEY).update(body).digest();

export interface Sealed<T> {
  /** The payload; `p` binds it to a principal, `e` is its expiry (ms since epoch). */
  v: T;
  p: string;
  e: number;
}

export function seal<T>(value: T, principal: string, ttlMs: number): string {
  const body = Buffer.from(
    JSON.stringify({ v: value, p: principal, e: Date.now() + ttlMs } satisfies Sealed<T>),
  ).toString("base64url");
  return `${body}.${mac(body).toString("base64url")}`;
}

/** The payload, or why the state is refused (tampered, expired, another caller's). */
export function unseal<T>(state: unknown, principal: string): { value: T } | { refused: string } {
  if (typeof state !== "string") return { refused: "requestState is not a string" };
  const dot = state.indexOf(".");
  if (dot <= 0) return { refused: "requestState is malformed" };
  const body = state.slice(0, dot);
  const given = Buffer.from(state.slice(dot + 1), "base64url");
  const want = mac(body);
  if (given.length !== want.length || !timingSafeEqual(given, want))
    return { refused: "requestState failed verification" };
  let sealed: Sealed<T>;
  try {
    sealed = JSON.parse(Buffer.from(body, "base64url").toString()) as Sealed<T>;
  } catch {
    return { refused: "requestState is malformed" };
  }
  if (sealed.p !== principal) return { refused: "requestState belongs to another caller" };
  if (!(sealed.e > Date.now())) return { refused: "requestState has expired" };
  return { value: sealed.v };
}
