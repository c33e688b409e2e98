// Process-tree figures from Linux /proc: descendants, summed RSS, CPU ticks; and stopping a whole
// tree by pid. Every pid ever seen in a measured tree is remembered with its start time, so the
// final sweep can stop strays (a grandchild reparented away) without hitting a reused pid.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

interface Stat {
  pid: number;
  state: string;
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
  /** Start time since boot, in clock ticks: tells a pid from a later reuse of it. */
  start: number;
}

/** Microseconds per clock tick (utime/stime unit); 10 000 where CLK_TCK is 100. */
export const TICK_US = (() => {
  const out = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const hz = Number(out.stdout?.trim());
  return 1e6 / (hz > 0 ? hz : 100);
})();

/** /proc/<pid>/stat; the command name may hold spaces and parentheses, so split after it. */
function stat(pid: number): Stat | undefined {
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  const f = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
  return {
    pid,
    state: f[0] ?? "?",
    ppid: Number(f[1]),
    ticks: Number(f[11]) + Number(f[12]),
    start: Number(f[19]),
  };
}

const live = (s: Stat | undefined): s is Stat =>
  s !== undefined && s.state !== "Z" && s.state !== "X";

export function isAlive(pid: number): boolean {
  return live(stat(pid));
}

/** `pid` and its live descendants (children first found, breadth first). */
export function tree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (name.charCodeAt(0) > 57) continue; // not a digit: not a process
    const s = stat(Number(name));
    if (!live(s)) continue;
    const list = children.get(s.ppid);
    if (list) list.push(s.pid);
    else children.set(s.ppid, [s.pid]);
  }
  if (!isAlive(pid)) return [];
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i] ?? -1) ?? []));
  remember(out);
  return out;
}

/** VmRSS of one process in kB; 0 once it is gone. */
export function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Summed VmRSS of `pid` and all its descendants, in MB (shared pages count once per process). */
export function treeRssMb(pid: number): number {
  return tree(pid).reduce((sum, p) => sum + rssKb(p), 0) / 1024;
}

/** CPU time of one process (all its threads, not its children), in clock ticks. */
export function cpuTicks(pid: number): number {
  return stat(pid)?.ticks ?? 0;
}

const seen = new Map<number, number>(); // pid -> start time

function remember(pids: number[]): void {
  for (const pid of pids) {
    const s = stat(pid);
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
    const s = stat(pid);
    if (live(s) && s.start === start && pid !== process.pid) {
      kill(pid);
      killed++;
    }
  }
  seen.clear();
  return killed;
}
