// Process inspection for tests (Linux /proc): who is alive, who descends from whom, who is in a
// group. Tests use these to prove the gateway leaves no process behind. Reading /proc itself is
// procfs.ts's job (shared with the bench); what only tests need (waits, kills, markers) is here.
import { readdirSync } from "node:fs";
import { constants } from "node:os";
import { descendants, isAlive, liveProcesses, readStat, rssKb, status } from "./procfs.ts";

export { descendants, isAlive, rssKb };

/** Live members of process group `pgid`. */
export function processGroupMembers(pgid: number): number[] {
  return liveProcesses()
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
  const own = readStat(process.pid)?.pgrp;
  const targets = [pid, ...descendants(pid)];
  const leads = readStat(pid)?.pgrp === pid && pid !== own;
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

/** True when `pid` has a handler installed for `sig` (from SigCgt), e.g. a fixture ignoring SIGTERM. */
export function catchesSignal(pid: number, sig: NodeJS.Signals): boolean {
  const mask = /^SigCgt:\s+([0-9a-f]+)/m.exec(status(pid) ?? "")?.[1];
  const signo = constants.signals[sig];
  return mask !== undefined && ((BigInt(`0x${mask}`) >> BigInt(signo - 1)) & 1n) === 1n;
}
