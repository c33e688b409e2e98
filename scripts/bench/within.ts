/** Rejects with "`what`: no answer within `ms` ms" unless `p` settles first; the timer is cleared. */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer within ${Math.round(ms)} ms`)),
      ms,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** An error text fit for one table note: HTML tags dropped, whitespace collapsed, cut at `max`. */
export const oneLine = (text: string, max = 300): string =>
  text
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, max);
