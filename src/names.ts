import { createHash } from "node:crypto";

/** What the strictest clients accept as a tool or prompt name. */
export const VALID_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX = 64;
const HASH = 8;

/**
 * The exposed name of a backend's tool or prompt: `<prefix>_<name>`, or the
 * name itself when the prefix is "". A name the strictest clients would refuse
 * becomes a readable head plus a short hash of the whole, the same every time.
 */
export function exposedName(prefix: string, name: string): string {
  const full = prefix ? `${prefix}_${name}` : name;
  return VALID_NAME.test(full) ? full : shorten(full);
}

export function shorten(full: string): string {
  const hash = createHash("sha256").update(full).digest("hex").slice(0, HASH);
  const head = full.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, MAX - HASH - 1);
  return `${head}_${hash}`;
}

/** The placeholder tool of a server with no cached schemas (SPEC 4). */
export const placeholderName = (server: string): string => exposedName("", `_${server}_connect`);
