import type { Subprocess } from "bun";
import { GatewayError } from "../errors.ts";
import type { RpcMessage } from "../jsonrpc.ts";
import { LineSplitter, lineWriter } from "../lines.ts";
import { log } from "../log.ts";
import { keepRaw } from "../raw.ts";
import type { Channel } from "./channel.ts";
import { stopProcessGroup } from "./process.ts";

export interface StdioSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

const TAIL_LINES = 20;
const MAX_STDERR_LINE = 2000;
/** After the process exits, how long its last output may take to arrive through the pipes. */
const DRAIN_MS = 200;

/**
 * A backend over stdio: one child process in its own process group speaking
 * newline-delimited JSON-RPC. Lines that are not JSON are logged and skipped
 * (servers that print banners to stdout keep working).
 */
export class StdioChannel implements Channel {
  onmessage?: (message: RpcMessage) => void;
  onclose?: (reason: string) => void;
  onerror?: (error: Error) => void;
  private proc?: Subprocess<"pipe", "pipe", "pipe">;
  private readonly tail: string[] = [];
  private closing = false;
  private write?: (line: string) => void;
  private stopped?: Promise<void>;

  constructor(
    private readonly server: string,
    private readonly spec: StdioSpec,
  ) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  stderrTail(): string {
    return this.tail.join("\n");
  }

  async start(): Promise<void> {
    const env = { ...process.env, ...this.spec.env };
    const cmd = Bun.which(this.spec.command, { PATH: env.PATH ?? "", cwd: this.spec.cwd }) ?? null;
    if (!cmd)
      throw new GatewayError(
        "BACKEND_START",
        `server "${this.server}": command "${this.spec.command}" not found on PATH`,
      );
    try {
      this.proc = Bun.spawn([cmd, ...this.spec.args], {
        cwd: this.spec.cwd,
        env,
        stdin: "pipe",
        stdout: "pipe",
        stderr: "pipe",
        // Its own process group, so stopping it reaches npx/sh wrappers' children too.
        detached: true,
      });
    } catch (e) {
      throw new GatewayError(
        "BACKEND_START",
        `server "${this.server}": cannot start "${this.spec.command}": ${(e as Error).message}`,
      );
    }
    const proc = this.proc;
    this.write = lineWriter(proc.stdin, (e) => this.onerror?.(e));
    const output = Promise.all([this.readStdout(proc), this.readStderr(proc)]);
    void this.watchExit(proc, output);
  }

  send(message: RpcMessage): void {
    const write = this.write;
    if (!write || this.closing) return;
    // Outside the try: a message that cannot be encoded (too deeply nested) throws to the sender.
    const line = `${JSON.stringify(message)}\n`;
    try {
      write(line);
    } catch (e) {
      this.onerror?.(e as Error);
    }
  }

  /** Stops the whole process group; also after the process exited on its own (a wrapper's children). */
  close(): Promise<void> {
    if (!this.proc) return Promise.resolve();
    this.closing = true;
    this.stopped ??= stopProcessGroup(this.proc);
    return this.stopped;
  }

  /**
   * The end is the process's exit, not stdout's EOF: a grandchild that inherited stdout
   * keeps the pipe open after the server itself died, and its callers must not wait for that.
   */
  private async watchExit(
    proc: Subprocess<"pipe", "pipe", "pipe">,
    output: Promise<unknown>,
  ): Promise<void> {
    const code = await proc.exited;
    await Promise.race([output, Bun.sleep(DRAIN_MS)]);
    const how = proc.signalCode ? `was killed by ${proc.signalCode}` : `exited with code ${code}`;
    const tail = this.stderrTail();
    this.onclose?.(
      this.closing ? "stopped" : `${how}${tail ? `; last stderr lines:\n${tail}` : ""}`,
    );
  }

  private async readStdout(proc: Subprocess<"pipe", "pipe", "pipe">): Promise<void> {
    const splitter = new LineSplitter(
      (line) => this.onLine(line),
      undefined,
      (bytes) => this.onerror?.(new Error(`dropped a ${bytes}-byte line on stdout (too large)`)),
    );
    try {
      for await (const chunk of proc.stdout) splitter.push(chunk);
    } catch {
      // The pipe broke: the process is going away; exited tells how.
    }
  }

  private onLine(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.onerror?.(new Error(`ignored a non-JSON line on stdout: ${line.slice(0, 200)}`));
      return;
    }
    if (typeof msg !== "object" || msg === null || Array.isArray(msg)) {
      this.onerror?.(new Error(`ignored a non-message line on stdout: ${line.slice(0, 200)}`));
      return;
    }
    keepRaw(msg as RpcMessage, line);
    this.onmessage?.(msg as RpcMessage);
  }

  private async readStderr(proc: Subprocess<"pipe", "pipe", "pipe">): Promise<void> {
    const splitter = new LineSplitter((line) => {
      const l = line.length > MAX_STDERR_LINE ? `${line.slice(0, MAX_STDERR_LINE)}…` : line;
      this.tail.push(l);
      if (this.tail.length > TAIL_LINES) this.tail.shift();
      log.backend(this.server, l);
    }, 1024 * 1024);
    try {
      for await (const chunk of proc.stderr) splitter.push(chunk);
    } catch {
      // ignore: the process is going away
    }
  }
}
