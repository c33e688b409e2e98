// One round of one way: a fresh process, then every per-way figure in a fixed order.
import { closedLoop, expectOk, percentile, sequential } from "./load.ts";
import { cpuTicks, TICK_US, treeRssMb } from "./procs.ts";
import { type Client, echo, TOOLS_LIST } from "./rpc.ts";
import type { Way } from "./way.ts";
import { errorText, oneLine, within } from "./within.ts";

export interface Plan {
  warmup: number;
  sequential: number;
  inFlight: number;
  loadMs: number;
  bigRounds: number;
  bigBytes: number;
  /** Settling pause before an "idle" RSS reading. */
  idleMs: number;
}

export interface RoundFigures {
  startupMs: number;
  p50Us: number;
  p99Us: number;
  callsPerSec: number;
  cpuSeqUs: number;
  cpuLoadUs: number;
  rssIdleMb: number;
  rssLoadMb: number;
  bigMs: number;
  /** Failed calls under load (they do not count in calls/s). */
  loadErrors: number;
  /** Why the 1 MB echo failed (bigMs is then NaN): a body limit is a finding, not a broken way. */
  bigError?: string;
}

export type Figure = Exclude<keyof RoundFigures, "loadErrors" | "bigError">;

const STEP_MS = 60_000;

export async function measureWay(way: Way, plan: Plan): Promise<RoundFigures> {
  const launched = await way.launch();
  try {
    return await within(STEP_MS * 3, way.label, measure(way, plan, launched));
  } finally {
    await launched.child.stop();
  }
}

async function measure(
  way: Way,
  plan: Plan,
  launched: Awaited<ReturnType<Way["launch"]>>,
): Promise<RoundFigures> {
  const { frontPid, spawnedAt } = launched;
  const client = await within(STEP_MS, "connect", launched.connect(Date.now() + STEP_MS));
  await within(STEP_MS, "tools/list", waitForTool(client, way.tool, Date.now() + STEP_MS));
  const startupMs = (Bun.nanoseconds() - spawnedAt) / 1e6;
  try {
    const small = echo(way.tool, "hello");
    const first = await within(STEP_MS, "first call", expectOk(client, small));
    if (!JSON.stringify(first.result).includes("Echo: hello"))
      throw new Error(`echo answered ${JSON.stringify(first).slice(0, 300)}`);
    await within(STEP_MS, "warm-up", sequential(client, small, plan.warmup));
    await Bun.sleep(plan.idleMs);
    const rssIdleMb = treeRssMb(frontPid);

    let ticks = cpuTicks(frontPid);
    const lat = await within(
      STEP_MS,
      "sequential calls",
      sequential(client, small, plan.sequential),
    );
    const cpuSeqUs = ((cpuTicks(frontPid) - ticks) * TICK_US) / plan.sequential;

    ticks = cpuTicks(frontPid);
    const load = await within(
      plan.loadMs + STEP_MS,
      "calls in flight",
      closedLoop(client, small, plan.inFlight, { ms: plan.loadMs }),
    );
    const cpuLoadUs = ((cpuTicks(frontPid) - ticks) * TICK_US) / Math.max(load.calls, 1);
    const rssLoadMb = treeRssMb(frontPid);
    if (load.calls === 0) throw new Error(`no call succeeded under load: ${load.firstError}`);

    let bigMs = Number.NaN;
    let bigError: string | undefined;
    try {
      bigMs = await within(STEP_MS, "1 MB echo", bigEcho(client, way.tool, plan));
    } catch (e) {
      bigError = oneLine(errorText(e), 200);
    }
    return {
      startupMs,
      p50Us: percentile(lat, 50),
      p99Us: percentile(lat, 99),
      callsPerSec: load.calls / load.seconds,
      cpuSeqUs,
      cpuLoadUs,
      rssIdleMb,
      rssLoadMb,
      bigMs,
      loadErrors: load.errors,
      bigError,
    };
  } finally {
    await client.close().catch(() => {});
  }
}

/** Polls tools/list until `tool` is listed (a hub may list before its backend is connected). */
async function waitForTool(client: Client, tool: string, deadline: number): Promise<void> {
  for (;;) {
    const msg = await client.call(TOOLS_LIST);
    if (msg.error) throw new Error(`tools/list: ${msg.error.message}`);
    const tools = (msg.result?.tools ?? []) as { name?: string }[];
    if (tools.some((t) => t.name === tool)) return;
    if (Date.now() > deadline) {
      throw new Error(`tools/list never listed ${tool}: ${tools.map((t) => t.name).join(", ")}`);
    }
    await Bun.sleep(10);
  }
}

/** Median round trip of a `bigBytes` echo, in ms; the answer must carry the whole message. */
async function bigEcho(client: Client, tool: string, plan: Plan): Promise<number> {
  const big = echo(tool, "x".repeat(plan.bigBytes));
  const times: number[] = [];
  for (let i = 0; i < plan.bigRounds; i++) {
    const t0 = Bun.nanoseconds();
    const msg = await expectOk(client, big);
    times.push((Bun.nanoseconds() - t0) / 1e6);
    const content = (msg.result?.content ?? []) as { text?: string }[];
    const length = content[0]?.text?.length ?? 0;
    if (length < plan.bigBytes) throw new Error(`1 MB echo came back with ${length} characters`);
  }
  return percentile(times, 50);
}
