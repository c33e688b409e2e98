// temporary A/B helper (deleted after use)
import { closedLoop, median, sequential } from "./load.ts";
import { cpuTicks, TICK_US } from "./procs.ts";
import { echo } from "./rpc.ts";
import { stopAll } from "./spawn.ts";
import { stdioLaunch } from "./way.ts";
import { setupGateway } from "./ways.ts";
const trees = Bun.argv.slice(2);
const res: Record<string, { cps: number[]; cpu: number[]; p50: number[]; cpuSeq: number[] }> = {};
const g = await setupGateway([process.execPath, `${trees[0]}/src/main.ts`], "/tmp/exp/ab");
try {
  for (let r = 0; r < 5; r++) for (const tree of trees) {
    const l = stdioLaunch([process.execPath, `${tree}/src/main.ts`, "stdio", "--config", g.config], { env: g.env });
    const c = await l.connect(Date.now() + 30000);
    const t = echo("everything_echo", "hello");
    await closedLoop(c, t, 32, { total: 5000 });
    let k = cpuTicks(l.frontPid);
    const lat = await sequential(c, t, 3000);
    const cpuSeq = ((cpuTicks(l.frontPid) - k) * TICK_US) / 3000;
    k = cpuTicks(l.frontPid);
    const load = await closedLoop(c, t, 32, { ms: 3000 });
    const cpu = ((cpuTicks(l.frontPid) - k) * TICK_US) / load.calls;
    const e = (res[tree] ??= { cps: [], cpu: [], p50: [], cpuSeq: [] });
    e.cps.push(load.calls / load.seconds); e.cpu.push(cpu); e.p50.push(median(lat)); e.cpuSeq.push(cpuSeq);
    await l.child.stop();
  }
  for (const [tree, e] of Object.entries(res))
    console.log(`${tree}: calls/s ${median(e.cps).toFixed(0)} [${e.cps.map((x) => x.toFixed(0)).join(" ")}], CPU/call@32 ${median(e.cpu).toFixed(1)} µs, p50 ${median(e.p50).toFixed(0)} µs, CPU/call seq ${median(e.cpuSeq).toFixed(1)} µs`);
} finally { await stopAll(); }
