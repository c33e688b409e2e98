/** Run files: how `mcp-gateway reload` finds a running `serve` and learns how it went. */
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { errorMessage } from "../errors.ts";
import { log } from "../log.ts";
import type { ReloadOutcome } from "./reloader.ts";

/** What a `serve` writes about itself, rewritten after each reload. */
export interface RunRecord {
  pid: number;
  /** Start time from /proc (Linux): tells this process from a later one that got its pid. */
  started: number | null;
  /** Absolute path of the config file it serves (null: none). */
  config: string | null;
  url: string;
  /** Reloads tried so far; `reload` waits for it to grow. */
  attempts: number;
  last: ReloadOutcome | null;
}

/**
 * $XDG_RUNTIME_DIR/mcp-gateway, else $XDG_STATE_HOME/mcp-gateway/run (~/.local/state/…): per
 * user, never shared; not the schema cache folder, which holds only schemas.
 */
export function runDir(env: Record<string, string | undefined> = process.env): string {
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, "mcp-gateway");
  return join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "mcp-gateway", "run");
}

/** A process's start time in clock ticks since boot, where /proc says (null elsewhere). */
export function startTime(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const start = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    return Number.isFinite(start) ? start : null;
  } catch {
    return null;
  }
}

/** The file of this process's record; written whole each time (write, then rename). */
export function writeRun(record: RunRecord, dir = runDir()): string | undefined {
  const file = join(dir, `${record.pid}.json`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.tmp`;
    // Only its owner may read it: it names the config file and quotes config errors.
    writeFileSync(tmp, JSON.stringify(record), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
    return file;
  } catch (e) {
    log.warn(
      `cannot write the run file ${file} (mcp-gateway reload will not find this gateway): ${errorMessage(e)}`,
    );
    return undefined;
  }
}

export function removeRun(file: string | undefined): void {
  if (file) rmSync(file, { force: true });
}

/** Whether `r`'s process still runs (not a later process that reuses its pid). */
function alive(r: RunRecord): boolean {
  try {
    process.kill(r.pid, 0);
  } catch {
    return false;
  }
  return r.started === null || startTime(r.pid) === r.started;
}

/** Running gateways serving `config` (null: any); records of gone processes are removed. */
export function findRuns(config: string | null, dir = runDir()): RunRecord[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^\d+\.json$/.test(n));
  } catch {
    return [];
  }
  const out: RunRecord[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const r = readRun(file);
    if (!r) continue;
    if (!alive(r)) {
      rmSync(file, { force: true });
      continue;
    }
    if (config === null || r.config === config) out.push(r);
  }
  return out;
}

export function readRun(file: string): RunRecord | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as RunRecord;
  } catch {
    return undefined;
  }
}
