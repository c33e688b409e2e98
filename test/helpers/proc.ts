// Process inspection for tests (Linux /proc): who is alive, who descends from whom, who is in a
// group. Tests use these to prove the gateway leaves no process behind.
import { readdirSync, readFileSync } from "node:fs";
import { constants } from "node:os";

interface Stat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
}

/** Parses /proc/<pid>/stat; the command name may hold spaces and parentheses, so split after it. */
function stat(pid: number): Stat | undefined {
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  const fields = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
  return {
    pid,
    state: fields[0] ?? "?",
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
  };
}

/** Every live process; zombies count as dead (they have exited, only the reaping is left). */
function allProcesses(): Stat[] {
  const out: Stat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s && s.state !== "Z" && s.state !== "X") out.push(s);
  }
  return out;
}

/** True while the process exists and has not exited (a zombie is not alive). */
export function isAlive(pid: number): boolean {
  const s = stat(pid);
  return s !== undefined && s.state !== "Z" && s.state !== "X";
}

/** Live descendants of `pid` (children, grandchildren, …). Orphans reparented away are not found. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of allProcesses()) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of children.get(next) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Live members of process group `pgid`. */
export function processGroupMembers(pgid: number): number[] {
  return allProcesses()
    .filter((p) => p.pgrp === pgid)
    .map((p) => p.pid);
}

export interface WaitOptions {
  timeout?: number;
  interval?: number;
  /** Said in the error on timeout. */
  message?: string;
}

type Truthy<T> = Exclude<T, false | 0 | 0n | "" | null | undefined>;

/** Polls `fn` until it returns a truthy value, which is returned; throws after `timeout` ms. */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  { timeout = 5000, interval = 25, message = "condition" }: WaitOptions = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as Truthy<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) {
      const why = last instanceof Error ? ` (last error: ${last.message})` : "";
      throw new Error(`waitFor timed out after ${timeout} ms: ${message}${why}`);
    }
    await Bun.sleep(interval);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/**
 * SIGKILLs `pid`, its descendants and, when `pid` leads its own group, that group; waits until
 * all are dead. Never signals the test runner's own group.
 */
export async function killTree(pid: number, timeout = 5000): Promise<void> {
  const own = stat(process.pid)?.pgrp;
  const targets = [pid, ...descendants(pid)];
  const leads = stat(pid)?.pgrp === pid && pid !== own;
  if (leads) targets.push(...processGroupMembers(pid));
  if (leads) signal(-pid, "SIGKILL");
  for (const p of targets) if (p !== process.pid) signal(p, "SIGKILL");
  await waitFor(() => targets.every((p) => !isAlive(p)), {
    timeout,
    message: `processes ${targets.join(", ")} to die`,
  });
}

/**
 * Pids recorded by fixture servers in `dir` ($FIXTURE_PID_DIR): files named `<prefix><pid>`.
 * The default prefix "" gives the servers themselves; "grandchild-" gives their grandchildren.
 */
export function pidsIn(dir: string, prefix = ""): number[] {
  return markersIn(dir, prefix)
    .filter((rest) => /^\d+$/.test(rest))
    .map(Number);
}

/** Suffixes of marker files in `dir` named `<prefix>…`, e.g. request ids of `cancelled-<id>`. */
export function markersIn(dir: string, prefix: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length));
}

/** Resident memory of `pid` in kB, or undefined when it is gone. */
export function rssKb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** True when `pid` has a handler installed for `sig` (from SigCgt), e.g. a fixture ignoring SIGTERM. */
export function catchesSignal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const mask = /^SigCgt:\s+([0-9a-f]+)/m.exec(status)?.[1];
    const signo = constants.signals[sig];
    return mask !== undefined && ((BigInt(`0x${mask}`) >> BigInt(signo - 1)) & 1n) === 1n;
  } catch {
    return false;
  }
}
