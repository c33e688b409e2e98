// Process-tree figures from Linux /proc (parsed by test/helpers/procfs.ts, the reader the tests
// use too): summed RSS, CPU ticks; and stopping a whole tree by pid. Every pid ever seen in a measured tree is remembered with its start time, so the
// final sweep can stop strays (a grandchild reparented away) without hitting a reused pid.
import { spawnSync } from "node:child_process";
import { descendants, isAlive, isLive, readStat, rssKb } from "../../test/helpers/procfs.ts";

/** Microseconds per clock tick (utime/stime unit); 10 000 where CLK_TCK is 100. */
export const TICK_US = (() => {
  const out = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const hz = Number(out.stdout?.trim());
  return 1e6 / (hz > 0 ? hz : 100);
})();

/** `pid` and its live descendants (breadth first), remembered for the final sweep. */
export function tree(pid: number): number[] {
  if (!isAlive(pid)) return [];
  const out = [pid, ...descendants(pid)];
  remember(out);
  return out;
}

/** VmRSS of one process in MB; 0 once it is gone. */
export function rssMb(pid: number): number {
  return (rssKb(pid) ?? 0) / 1024;
}

/** Summed VmRSS of `pid` and all its descendants, in MB (shared pages count once per process). */
export function treeRssMb(pid: number): number {
  return tree(pid).reduce((sum, p) => sum + (rssKb(p) ?? 0), 0) / 1024;
}

/** CPU time of one process (all its threads, not its children), in clock ticks. */
export function cpuTicks(pid: number): number {
  return readStat(pid)?.ticks ?? 0;
}

const seen = new Map<number, number>(); // pid -> start time

function remember(pids: number[]): void {
  for (const pid of pids) {
    const s = readStat(pid);
    if (s) seen.set(pid, s.start);
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/**
 * SIGKILL `pid` and every descendant (snapshotted first, so none is orphaned before it is
 * found), then wait, bounded, until the root has exited.
 */
export async function killTree(pid: number, waitMs = 3000): Promise<void> {
  for (const p of tree(pid).reverse()) kill(p);
  const until = Date.now() + waitMs;
  while (isAlive(pid) && Date.now() < until) await Bun.sleep(10);
}

/** Last sweep: every pid seen in a measured tree that is still the same process gets SIGKILL. */
export function killStrays(): number {
  let killed = 0;
  for (const [pid, start] of seen) {
    const s = readStat(pid);
    if (isLive(s) && s.start === start && pid !== process.pid) {
      kill(pid);
      killed++;
    }
  }
  seen.clear();
  return killed;
}
