// Checks shared by the stdio input tests: errors answered to bad lines, then a good request.
import { expect } from "bun:test";
import { textOf } from "../helpers/results.ts";
import type { Id, Message, RawClient } from "./raw.ts";

/** The next good request succeeds: a forwarded call answered by the healthy backend. */
export async function nextGood(gw: RawClient): Promise<void> {
  const text = `good ${gw.id()}`;
  expect(textOf(await gw.call("good_echo", { text }))).toBe(text);
}

/** Sends raw lines and returns the error answered to each, in order (they carry id null). */
export async function nullIdErrors(
  gw: RawClient,
  lines: (string | Uint8Array)[],
): Promise<Message[]> {
  const before = gw.answers.get(null)?.length ?? 0;
  for (const l of lines) gw.writeLine(l);
  await gw.until(
    () => (gw.answers.get(null)?.length ?? 0) >= before + lines.length,
    `${lines.length} errors with id null`,
  );
  return (gw.answers.get(null) ?? []).slice(before);
}

/** Sends one raw request with `id` and returns its answer. */
export function raw(gw: RawClient, id: Id, body: Record<string, unknown>): Promise<Message> {
  gw.writeLine(JSON.stringify({ jsonrpc: "2.0", id, ...body }));
  return gw.response(id);
}

/** An error object: numeric code, a message, and the id it answers. */
export function expectError(res: Message, code?: number): string {
  expect(typeof res.error?.code).toBe("number");
  if (code !== undefined) expect(res.error?.code).toBe(code);
  expect(res.error?.message ?? "").not.toBe("");
  return res.error?.message ?? "";
}
