/**
 * Newline-delimited JSON framing: bytes in, whole lines out. Only the newly
 * arrived text is searched for "\n", so a megabyte message arriving in many
 * chunks costs one join, not one scan per chunk.
 */
export class LineSplitter {
  private parts: string[] = [];
  private pending = 0;
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly onLine: (line: string) => void,
    /** A line longer than this is dropped and reported, so one bad peer cannot exhaust memory. */
    private readonly maxLine = 64 * 1024 * 1024,
    private readonly onOversized: (bytes: number) => void = () => {},
  ) {}

  push(chunk: Uint8Array | string): void {
    const text = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    let i = text.indexOf("\n");
    if (i < 0) return this.keep(text);
    let start = 0;
    let first = text.slice(0, i);
    if (this.parts.length > 0) {
      const over = this.pending + first.length > this.maxLine;
      first = over ? "" : this.parts.join("") + first;
      if (over) this.onOversized(this.pending + i);
      this.parts = [];
      this.pending = 0;
    }
    this.emit(first);
    start = i + 1;
    for (i = text.indexOf("\n", start); i >= 0; i = text.indexOf("\n", start)) {
      this.emit(text.slice(start, i));
      start = i + 1;
    }
    if (start < text.length) this.keep(text.slice(start));
  }

  private keep(text: string): void {
    if (this.pending > this.maxLine) return; // already oversized: discard until the newline
    this.parts.push(text);
    this.pending += text.length;
  }

  private emit(line: string): void {
    const l = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (l.length === 0) return;
    if (l.length > this.maxLine) return this.onOversized(l.length);
    this.onLine(l);
  }
}

/**
 * A writer that gathers the lines of one turn of the event loop and hands them to the sink in one
 * write and one flush: under load many messages share one syscall (a write per message costs about
 * four times the CPU: scripts/bench/profile.ts), and a lone message still leaves before anything
 * else runs. A megabyte line is not copied: it is the whole batch, or one piece of a rope.
 */
export function lineWriter(
  sink: { write(text: string): unknown; flush(): unknown },
  onError: (e: Error) => void = () => {},
): (text: string) => void {
  let pending = "";
  let queued = false;
  const flush = () => {
    queued = false;
    const out = pending;
    pending = "";
    try {
      sink.write(out);
      sink.flush();
    } catch (e) {
      onError(e as Error);
    }
  };
  return (text) => {
    pending += text;
    if (!queued) {
      queued = true;
      queueMicrotask(flush);
    }
  };
}
