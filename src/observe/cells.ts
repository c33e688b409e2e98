/** Call counts kept as plain numbers per (server, name), read by prom-client only at scrape time. */
import {
  Counter,
  type CounterConfiguration,
  Histogram,
  type HistogramConfiguration,
} from "prom-client";
import type { Outcome } from "./types.ts";

export const OUTCOMES: readonly Outcome[] = [
  "ok",
  "tool_error",
  "protocol_error",
  "timeout",
  "cancelled",
  "backend_error",
];
const INDEX = Object.fromEntries(OUTCOMES.map((o, i) => [o, i])) as Record<Outcome, number>;

/**
 * One call target's counts. A call costs an increment, an addition and a short bucket search:
 * prom-client's labelled children would hash the label values into a string on every call.
 */
export class CallCells {
  readonly outcomes = new Float64Array(OUTCOMES.length);
  /** Per bucket, not cumulative; the last one is above every bound (+Inf). */
  readonly buckets: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.buckets = new Float64Array(bounds.length + 1);
  }

  record(outcome: Outcome, seconds: number): void {
    const o = INDEX[outcome];
    this.outcomes[o] = (this.outcomes[o] ?? 0) + 1;
    this.sum += seconds;
    this.count++;
    const b = this.bounds;
    let i = 0;
    while (i < b.length && seconds > (b[i] as number)) i++;
    this.buckets[i] = (this.buckets[i] ?? 0) + 1;
  }
}

type Snapshot = Awaited<ReturnType<Counter<string>["get"]>>;

/** A counter whose series are the cells' outcome counts (`outcome` added to their labels). */
export class CellCounter extends Counter<string> {
  constructor(
    config: CounterConfiguration<string>,
    private readonly cells: () => Iterable<CallCells>,
  ) {
    super(config);
  }

  // The base keeps the name the exposition may have changed (OpenMetrics drops `_total`).
  override async get(): Promise<Snapshot> {
    const base = await super.get();
    const values: Snapshot["values"] = [];
    for (const c of this.cells())
      OUTCOMES.forEach((outcome, i) => {
        const value = c.outcomes[i] ?? 0;
        if (value > 0) values.push({ labels: { ...c.labels, outcome }, value });
      });
    return { ...base, values };
  }
}

/** A histogram whose series are the cells' durations. */
export class CellHistogram extends Histogram<string> {
  private readonly bounds: number[];
  private readonly config: HistogramConfiguration<string>;

  constructor(
    config: HistogramConfiguration<string> & { buckets: number[] },
    private readonly cells: () => Iterable<CallCells>,
  ) {
    super(config);
    this.bounds = config.buckets;
    this.config = config;
  }

  /**
   * What the registry renders from (prom-client's histograms render from this method, and their
   * get() splays its values): the cells' buckets, cumulative, then sum and count.
   */
  async getForPromString(): Promise<{
    name: string;
    help: string;
    type: string;
    values: { labels: Record<string, string | number>; value: number; metricName: string }[];
    aggregator: string;
  }> {
    const { name, help } = this.config;
    const values: {
      labels: Record<string, string | number>;
      value: number;
      metricName: string;
    }[] = [];
    const bucket = `${name}_bucket`;
    for (const c of this.cells()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += c.buckets[i] ?? 0;
        values.push({ labels: { ...c.labels, le }, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { ...c.labels, le: "+Inf" }, value: c.count, metricName: bucket });
      values.push({ labels: c.labels, value: c.sum, metricName: `${name}_sum` });
      values.push({ labels: c.labels, value: c.count, metricName: `${name}_count` });
    }
    return { name, help, type: "histogram", values, aggregator: "sum" };
  }
}
