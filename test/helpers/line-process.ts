// A spawned process spoken to in lines, the part both raw JSON-RPC test clients share (rpc.ts's
// spawnRpc, which plays an MCP client, and reliability/raw.ts's RawClient, which counts answers):
// stdout cut into lines, stderr kept, writes that never throw once the process is gone.

export interface LineProcessOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Start in a new process group (setsid), as the gateway does with backends. */
  detached?: boolean;
  /** Each non-blank stdout line, without its newline, in order. */
  onLine(line: string): void;
  /** Called after each stderr chunk, for waits that watch stderr. */
  onStderr?(): void;
}

/** Stderr kept, at most: a test that floods stderr must not fill the test runner's memory. */
const STDERR_KEPT = 2_000_000;

export class LineProcess {
  readonly pid: number;
  /** Bun's exit value: the exit code, or 128 + the signal number. */
  readonly exited: Promise<number>;
  private readonly proc: Bun.Subprocess<"pipe", "pipe", "pipe">;
  private stderr = "";

  constructor(
    cmd: string[],
    private readonly opts: LineProcessOptions,
  ) {
    this.proc = Bun.spawn(cmd, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      detached: opts.detached ?? false,
    });
    this.pid = this.proc.pid;
    this.exited = this.proc.exited;
    void this.readStdout();
    void this.readStderr();
  }

  /** The exit code once exited; null while running or when killed by a signal. */
  exitCode(): number | null {
    return this.proc.exitCode;
  }

  /** The last 2 MB of stderr so far. */
  stderrText(): string {
    return this.stderr;
  }

  write(data: string | Uint8Array): void {
    try {
      this.proc.stdin.write(data);
      this.proc.stdin.flush();
    } catch {
      // The process is gone; the clients' waits fail through `exited`.
    }
  }

  writeLine(line: string | Uint8Array): void {
    this.write(typeof line === "string" ? `${line}\n` : new Uint8Array([...line, 0x0a]));
  }

  /** Closes stdin (the polite stop). */
  close(): void {
    try {
      void this.proc.stdin.end();
    } catch {
      // Already closed.
    }
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    try {
      this.proc.kill(signal);
    } catch {
      // Already gone.
    }
  }

  private line(text: string): void {
    if (text.trim()) this.opts.onLine(text);
  }

  private async readStdout(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of this.proc.stdout) {
      // Only the new text is searched, so a many-megabyte answer costs one pass, not one per chunk.
      const text = decoder.decode(chunk, { stream: true });
      let i = text.indexOf("\n");
      if (i < 0) {
        buffer += text;
        continue;
      }
      this.line(buffer + text.slice(0, i));
      let start = i + 1;
      for (i = text.indexOf("\n", start); i >= 0; i = text.indexOf("\n", start)) {
        this.line(text.slice(start, i));
        start = i + 1;
      }
      buffer = text.slice(start);
    }
    this.line(buffer);
  }

  private async readStderr(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of this.proc.stderr) {
      this.stderr = (this.stderr + decoder.decode(chunk, { stream: true })).slice(-STDERR_KEPT);
      this.opts.onStderr?.();
    }
  }
}
