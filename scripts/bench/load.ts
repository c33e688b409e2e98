// Load generators over any Client, and the statistics the report uses.
import type { Client, Message, Template } from "./rpc.ts";

/** An answer that is not a successful result: a JSON-RPC error or a tool error. */
export function failure(msg: Message): string | undefined {
  if (msg.error) return `error ${msg.error.code}: ${msg.error.message}`;
  if (msg.result?.isError) return `tool error: ${JSON.stringify(msg.result).slice(0, 300)}`;
  return undefined;
}

/** One call that must succeed; returns its result. */
export async function expectOk(client: Client, t: Template): Promise<Message> {
  const msg = await client.call(t);
  const bad = failure(msg);
  if (bad) throw new Error(bad);
  return msg;
}

/** `n` calls one after another; the latency of each in microseconds. Throws on the first failure. */
export async function sequential(client: Client, t: Template, n: number): Promise<number[]> {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t0 = Bun.nanoseconds();
    const msg = await client.call(t);
    out[i] = (Bun.nanoseconds() - t0) / 1000;
    const bad = failure(msg);
    if (bad) throw new Error(`call ${i + 1} of ${n}: ${bad}`);
  }
  return out;
}

export interface LoadResult {
  calls: number;
  errors: number;
  firstError?: string;
  seconds: number;
}

/**
 * A closed loop: `inFlight` workers, each sending its next call when the last is answered, until
 * `ms` have passed or `total` calls were sent (whichever bound is given).
 */
export async function closedLoop(
  client: Client,
  t: Template,
  inFlight: number,
  bound: { ms?: number; total?: number },
): Promise<LoadResult> {
  const result: LoadResult = { calls: 0, errors: 0, seconds: 0 };
  const t0 = Bun.nanoseconds();
  const endAt = bound.ms === undefined ? Number.POSITIVE_INFINITY : t0 + bound.ms * 1e6;
  const total = bound.total ?? Number.POSITIVE_INFINITY;
  let sent = 0;
  const worker = async () => {
    while (sent < total && Bun.nanoseconds() < endAt) {
      sent++;
      try {
        const bad = failure(await client.call(t));
        if (bad) throw new Error(bad);
        result.calls++;
      } catch (e) {
        result.errors++;
        result.firstError ??= e instanceof Error ? e.message : String(e);
        if (result.errors > 100)
          throw new Error(`more than 100 failed calls: ${result.firstError}`);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  result.seconds = (Bun.nanoseconds() - t0) / 1e9;
  return result;
}

/** The median of the finite values; NaN when there are none. */
export function median(values: number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile of the finite values; NaN when there are none. */
export function percentile(values: number[], p: number): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  if (p === 50 && v.length % 2 === 0) {
    return ((v[v.length / 2 - 1] ?? 0) + (v[v.length / 2] ?? 0)) / 2;
  }
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))] ?? Number.NaN;
}
