// What a run produced, and the figure formatting the report and the target checks share.
import type { Growth, TenRound } from "./extras.ts";
import { median } from "./load.ts";
import type { Figure, Plan, RoundFigures } from "./measure.ts";
import type { SessionsFigures } from "./sessions.ts";
import type { Way } from "./way.ts";

export interface WayResult {
  way: Way;
  rounds: RoundFigures[];
  /** Rounds that failed after an earlier one succeeded. */
  errors: string[];
  /** Why the way has no figures (it failed in its first round). */
  skipped?: string;
}

export interface RunInfo {
  command: string;
  machine: string;
  date: string;
  roundsDone: number;
  plan: Plan;
  gateway: string;
  notes: string[];
}

export interface Results {
  info: RunInfo;
  ways: WayResult[];
  growth: Growth | string;
  ten: TenRound[] | string;
  sessions: SessionsFigures | string;
}

/** The median over rounds of one figure; NaN when the way has no rounds. */
export function fig(r: WayResult | undefined, key: Figure): number {
  return r ? median(r.rounds.map((x) => x[key])) : Number.NaN;
}

export function num(v: number, unit = ""): string {
  if (!Number.isFinite(v)) return "—";
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  const text = v.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return unit ? `${text} ${unit}` : text;
}

export const ratio = (v: number, floor: number): number => v / floor;
export const times = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}x` : "—");
