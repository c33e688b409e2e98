/**
 * Newline-delimited JSON framing: bytes in, whole lines out. Lines are cut on bytes and each is
 * decoded once (a "\n" byte never falls inside a UTF-8 sequence), so a megabyte message arriving
 * in many chunks costs one copy and one decode, not a decode per chunk and a join of strings.
 * Sizes are in bytes.
 */
export class LineSplitter {
  private parts: Uint8Array[] = [];
  private pending = 0;
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly onLine: (line: string) => void,
    /** A line longer than this is dropped and reported, so one bad peer cannot exhaust memory. */
    private readonly maxLine = 64 * 1024 * 1024,
    private readonly onOversized: (bytes: number) => void = () => {},
  ) {}

  push(chunk: Uint8Array | string): void {
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
    let start = 0;
    for (let i = bytes.indexOf(NL); i >= 0; i = bytes.indexOf(NL, start)) {
      this.cut(bytes, start, i);
      start = i + 1;
    }
    if (start < bytes.length) this.keep(bytes.subarray(start));
  }

  /** The line ends at `end` of `bytes`; what came before it in earlier chunks is in parts. */
  private cut(bytes: Uint8Array, start: number, end: number): void {
    const size = this.pending + end - start;
    if (this.parts.length === 0) return this.emit(bytes, start, end, size);
    const parts = this.parts;
    this.parts = [];
    this.pending = 0;
    if (size > this.maxLine) return this.onOversized(size);
    parts.push(bytes.subarray(start, end));
    const line = Buffer.concat(parts, size);
    this.emit(line, 0, line.length, size);
  }

  private keep(bytes: Uint8Array): void {
    if (this.pending > this.maxLine) return; // already oversized: discard until the newline
    this.parts.push(bytes);
    this.pending += bytes.length;
  }

  private emit(bytes: Uint8Array, start: number, end: number, size: number): void {
    const stop = end > start && bytes[end - 1] === CR ? end - 1 : end;
    if (stop === start) return;
    if (size > this.maxLine) return this.onOversized(size);
    this.onLine(this.decoder.decode(bytes.subarray(start, stop)));
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

const NL = 10;
const CR = 13;
const encoder = new TextEncoder();
