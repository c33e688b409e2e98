// The two figures that are not per way: memory growth over many calls, and the cost of ten
// configured servers that nobody uses (lazy gateway) next to the same ten started eagerly.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { closedLoop } from "./load.ts";
import { rssMb, tree, treeRssMb } from "./procs.ts";
import { echo, TOOLS_LIST } from "./rpc.ts";
import { EVERYTHING, ROOT, stdioLaunch } from "./way.ts";
import { type GatewaySetup, warmCache } from "./ways.ts";
import { within } from "./within.ts";

export interface Growth {
  warmup: number;
  calls: number;
  seconds: number;
  /** The gateway process alone, MB: the lowest of QUIET_MS of quiet (quietRssMb). */
  beforeMb: number;
  afterMb: number;
  /** Gateway process RSS right after each quarter of the calls: a plateau, or a climb (a leak). */
  quartersMb: number[];
  /** Gateway + backend, MB. */
  treeBeforeMb: number;
  treeAfterMb: number;
}

/**
 * Before and after are read once the gateway has been quiet this long, as a gateway between
 * bursts is: the runtime collects garbage and hands pages back when the process goes idle (RSS
 * measured every 0.5 s after 100,000 calls settled within 0.5–4 s, from 74–82 MB to 59–62 MB).
 */
const QUIET_MS = 5000;

/** The lowest RSS of the gateway process over QUIET_MS of quiet, sampled every 250 ms. */
async function quietRssMb(pid: number): Promise<number> {
  let low = Number.POSITIVE_INFINITY;
  for (let t = 0; t < QUIET_MS; t += 250) {
    await Bun.sleep(250);
    low = Math.min(low, rssMb(pid));
  }
  return low;
}

/**
 * RSS after a warm-up (a fifth of `calls`, so the heap has reached its working size), then
 * after each quarter of `calls` more echo calls with `inFlight` in flight (gateway stdio).
 */
export async function memoryGrowth(
  g: GatewaySetup,
  calls: number,
  inFlight: number,
  idleMs: number,
): Promise<Growth> {
  const launched = stdioLaunch([...g.cmd, "stdio", "--config", g.config], { env: g.env });
  const pid = launched.frontPid;
  try {
    const client = await within(60_000, "connect", launched.connect(Date.now() + 60_000));
    const t = echo("everything_echo", "hello");
    const bound = 60_000 + calls; // a millisecond a call is far slower than any way here
    const warmup = Math.round(calls / 5);
    const warm = await within(bound, "warm-up", closedLoop(client, t, inFlight, { total: warmup }));
    if (warm.errors > 0) throw new Error(`warm-up: ${warm.firstError}`);
    const beforeMb = await quietRssMb(pid);
    const treeBeforeMb = treeRssMb(pid);
    const quartersMb: number[] = [];
    let done = 0;
    let seconds = 0;
    for (let q = 1; q <= 4; q++) {
      const n = Math.round((calls * q) / 4) - done;
      const load = await within(
        bound,
        `${calls} calls`,
        closedLoop(client, t, inFlight, { total: n }),
      );
      if (load.errors > 0) throw new Error(`${load.errors} calls failed: ${load.firstError}`);
      done += load.calls;
      seconds += load.seconds;
      await Bun.sleep(idleMs);
      quartersMb.push(rssMb(pid));
    }
    const afterMb = await quietRssMb(pid);
    const treeAfterMb = treeRssMb(pid);
    await client.close();
    return {
      warmup,
      calls: done,
      seconds,
      beforeMb,
      afterMb,
      quartersMb,
      treeBeforeMb,
      treeAfterMb,
    };
  } finally {
    await launched.child.stop();
  }
}

const MODULES = "node_modules/@modelcontextprotocol";

/** Ten stdio servers: 4 × everything, 3 × memory, 3 × filesystem. */
export async function tenServers(
  dir: string,
): Promise<{ name: string; cmd: string[]; env: Record<string, string> }[]> {
  const out: { name: string; cmd: string[]; env: Record<string, string> }[] = [];
  for (let i = 1; i <= 4; i++)
    out.push({ name: `everything-${i}`, cmd: ["node", EVERYTHING, "stdio"], env: {} });
  for (let i = 1; i <= 3; i++) {
    out.push({
      name: `memory-${i}`,
      cmd: ["node", join(ROOT, MODULES, "server-memory/dist/index.js")],
      env: { MEMORY_FILE_PATH: join(dir, `memory-${i}.jsonl`) },
    });
  }
  for (let i = 1; i <= 3; i++) {
    const root = join(dir, `files-${i}`);
    await mkdir(root, { recursive: true });
    out.push({
      name: `filesystem-${i}`,
      cmd: ["node", join(ROOT, MODULES, "server-filesystem/dist/index.js"), root],
      env: {},
    });
  }
  return out;
}

export interface TenSetup {
  cmd: string[];
  config: string;
  env: Record<string, string>;
  servers: Awaited<ReturnType<typeof tenServers>>;
}

export async function setupTen(cmd: string[], dir: string): Promise<TenSetup> {
  await mkdir(dir, { recursive: true });
  const servers = await tenServers(dir);
  const yaml = ["servers:"];
  for (const s of servers) {
    const [command, ...args] = s.cmd;
    yaml.push(`  ${s.name}:`, `    command: ${command}`, `    args: ${JSON.stringify(args)}`);
    if (Object.keys(s.env).length > 0) yaml.push(`    env: ${JSON.stringify(s.env)}`);
  }
  const config = join(dir, "gateway.yaml");
  await writeFile(config, `${yaml.join("\n")}\n`);
  const env = { XDG_CACHE_HOME: join(dir, "cache") };
  await warmCache(cmd, config, env);
  return { cmd, config, env, servers };
}

export interface TenRound {
  /** Spawn of the compiled binary to the first tools/list answer (warm cache), ms. */
  startupMs: number;
  tools: number;
  gatewayRssMb: number;
  /** Processes under the gateway at idle (expected: none). */
  backends: number;
  /** Sum of the ten servers' RSS, each started and initialized directly. */
  eagerRssMb: number;
}

export async function tenRound(t: TenSetup, idleMs: number): Promise<TenRound> {
  const gw = stdioLaunch([...t.cmd, "stdio", "--config", t.config], { env: t.env });
  let startupMs: number;
  let tools: number;
  let gatewayRssMb: number;
  let backends: number;
  try {
    const client = await within(60_000, "gateway connect", gw.connect(Date.now() + 60_000));
    const list = await within(60_000, "gateway tools/list", client.call(TOOLS_LIST));
    startupMs = (Bun.nanoseconds() - gw.spawnedAt) / 1e6;
    tools = ((list.result?.tools ?? []) as unknown[]).length;
    await Bun.sleep(idleMs);
    gatewayRssMb = treeRssMb(gw.frontPid);
    backends = tree(gw.frontPid).length - 1;
    await client.close();
  } finally {
    await gw.child.stop();
  }

  const eager = t.servers.map((s) => stdioLaunch(s.cmd, { env: s.env }));
  try {
    await within(
      60_000,
      "ten servers initialize",
      Promise.all(eager.map((e) => e.connect(Date.now() + 60_000))),
    );
    await Bun.sleep(idleMs);
    const eagerRssMb = eager.reduce((sum, e) => sum + treeRssMb(e.frontPid), 0);
    return { startupMs, tools, gatewayRssMb, backends, eagerRssMb };
  } finally {
    await Promise.all(eager.map((e) => e.child.stop()));
  }
}
