// The one reader of Linux /proc (stat, status) for the tests and the bench: both need the same
// parse of /proc/<pid>/stat and of VmRSS, and a second copy would drift. Tests build waits and
// kills on it (proc.ts), the bench its memory and CPU figures (scripts/bench/procs.ts).
import { readdirSync, readFileSync } from "node:fs";

export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
  /** Start time since boot, in clock ticks: tells a pid from a later reuse of it. */
  start: number;
}

/** /proc/<pid>/stat; the command name may hold spaces and parentheses, so split after it. */
export function readStat(pid: number): ProcStat | undefined {
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
    pgrp: Number(f[2]),
    ticks: Number(f[11]) + Number(f[12]),
    start: Number(f[19]),
  };
}

/** A zombie (or dead) process has exited; only the reaping is left, so it does not count. */
export const isLive = (s: ProcStat | undefined): s is ProcStat =>
  s !== undefined && s.state !== "Z" && s.state !== "X";

/** True while the process exists and has not exited. */
export function isAlive(pid: number): boolean {
  return isLive(readStat(pid));
}

/** Every live process. */
export function liveProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (isLive(s)) out.push(s);
  }
  return out;
}

/**
 * Live descendants of `pid` (children, grandchildren, …), breadth first. Orphans reparented away
 * are not found.
 */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of liveProcesses()) {
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
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

/** The text of /proc/<pid>/status, or undefined once the process is gone. */
export function status(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
}

/** Resident memory (VmRSS) of `pid` in kB, or undefined when it is gone. */
export function rssKb(pid: number): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status(pid) ?? "");
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
