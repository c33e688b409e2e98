// Starting the processes under test. Every child is registered so that a failure, a timeout or
// Ctrl-C still stops its whole tree by pid.
import type { FileSink } from "bun";
import { killStrays, killTree, tree } from "./procs.ts";

export interface Child {
  pid: number;
  /** Present when started with `pipes: true` (stdio ways). */
  stdin?: FileSink;
  stdout?: ReadableStream<Uint8Array>;
  exited: Promise<number>;
  /** The last lines it wrote to stderr, for error messages. */
  stderrTail(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** stdin/stdout as pipes for a stdio client; otherwise both go to /dev/null. */
  pipes?: boolean;
}

const running = new Set<{ stop(): Promise<void> }>();

export function start(cmd: string[], opts: StartOptions = {}): Child {
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdin: opts.pipes ? "pipe" : "ignore",
    stdout: opts.pipes ? "pipe" : "ignore",
    stderr: "pipe",
  });
  const tail: string[] = [];
  drain(proc.stderr, tail);
  const child: Child = {
    pid: proc.pid,
    stdin: opts.pipes ? (proc.stdin as FileSink) : undefined,
    stdout: opts.pipes ? (proc.stdout as ReadableStream<Uint8Array>) : undefined,
    exited: proc.exited,
    stderrTail: () => tail.join("\n"),
    stop: async () => {
      running.delete(child);
      await killTree(proc.pid);
    },
  };
  running.add(child);
  tree(proc.pid); // remembered for the final sweep
  return child;
}

/** Reads stderr to the end (a full pipe would stall the child) keeping the last 20 lines. */
async function drain(stream: ReadableStream<Uint8Array>, tail: string[]): Promise<void> {
  const decoder = new TextDecoder();
  let partial = "";
  try {
    for await (const chunk of stream) {
      const lines = (partial + decoder.decode(chunk, { stream: true })).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) tail.push(line.slice(0, 400));
      if (tail.length > 20) tail.splice(0, tail.length - 20);
    }
  } catch {
    // the process is gone
  }
}

/** Stops every child still running, then any stray seen in a measured tree. */
export async function stopAll(): Promise<number> {
  await Promise.all([...running].map((c) => c.stop()));
  return killStrays();
}

/** Runs a command to its end (bounded), for installs and builds. */
export async function run(
  cmd: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs: number },
): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const handle = { stop: () => killTree(proc.pid) };
  running.add(handle);
  const timer = setTimeout(() => killTree(proc.pid), opts.timeoutMs);
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(timer);
  running.delete(handle);
  return { code, out: `${out}${err}`.trim() };
}
