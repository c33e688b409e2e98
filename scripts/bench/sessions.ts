// The 1,000-session pass on Streamable HTTP: what an idle session costs the gateway (RSS per
// session), and whether a call gets slower with a thousand sessions open beside it.
import { StreamableClient } from "./client-http.ts";
import { percentile, sequential } from "./load.ts";
import { rssMb } from "./procs.ts";
import { echo, INITIALIZED } from "./rpc.ts";
import { freePort, httpLaunch } from "./way.ts";
import type { GatewaySetup } from "./ways.ts";
import { within } from "./within.ts";

export interface SessionsFigures {
  sessions: number;
  /** The gateway process alone, MB: before the sessions open, and with all of them open. */
  beforeMb: number;
  afterMb: number;
  perSessionKb: number;
  /** p50 of sequential echo calls on one more session, alone and with the sessions open. */
  p50AloneUs: number;
  p50WithUs: number;
}

export async function sessionsPass(
  g: GatewaySetup,
  count: number,
  calls: number,
  idleMs: number,
): Promise<SessionsFigures> {
  const port = freePort();
  const url = `http://127.0.0.1:${port}/mcp`;
  const launched = httpLaunch(
    [...g.cmd, "serve", "--port", String(port), "--config", g.config],
    "streamable",
    url,
    { env: g.env },
  );
  const opened: StreamableClient[] = [];
  try {
    const client = await within(60_000, "connect", launched.connect(Date.now() + 60_000));
    const t = echo("everything_echo", "hello");
    await within(60_000, "warm-up", sequential(client, t, calls));
    const p50AloneUs = percentile(await sequential(client, t, calls), 50);
    await Bun.sleep(idleMs);
    const beforeMb = rssMb(launched.frontPid);
    const deadline = Date.now() + 120_000;
    for (let i = 0; i < count; i++) {
      const s = await within(60_000, "session", StreamableClient.open(url, deadline));
      await s.notify(INITIALIZED);
      opened.push(s);
    }
    await Bun.sleep(idleMs);
    const afterMb = rssMb(launched.frontPid);
    const p50WithUs = percentile(
      await within(60_000, "calls beside the sessions", sequential(client, t, calls)),
      50,
    );
    return {
      sessions: count,
      beforeMb,
      afterMb,
      perSessionKb: ((afterMb - beforeMb) * 1024) / count,
      p50AloneUs,
      p50WithUs,
    };
  } finally {
    await Promise.all(opened.map((s) => s.close()));
    await launched.child.stop();
  }
}
