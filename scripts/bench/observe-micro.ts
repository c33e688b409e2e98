// The observer's own work per tool call, in-process (usage: bun scripts/bench/observe-micro.ts).

import { AuditLog } from "../../src/observe/audit.ts";
import { Hub } from "../../src/observe/hub.ts";
import { Metrics } from "../../src/observe/metrics.ts";
import { startTracing } from "../../src/observe/tracing.ts";
import type { Tracing, Who } from "../../src/observe/types.ts";
import { median } from "./load.ts";

const N = 100_000;
const CHUNK = 1000;
const who: Who = { front: "stdio", principal: "", sessionNo: 1, protocolVersion: "2025-06-18" };
const reply = { jsonrpc: "2.0" as const, id: 1, result: { content: [] } };
const params = { name: "echo", arguments: { message: "hello" } };

/** µs per call of `one`, in chunks with a turn of the event loop between (writers flush there). */
async function time(one: () => void): Promise<number> {
  const runs: number[] = [];
  for (let r = 0; r < 6; r++) {
    let spent = 0;
    for (let done = 0; done < N; done += CHUNK) {
      const t0 = Bun.nanoseconds();
      for (let i = 0; i < CHUNK; i++) one();
      spent += Bun.nanoseconds() - t0;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (r > 0) runs.push(spent / N / 1000); // the first run warms up
  }
  return median(runs);
}

const call = (hub: Hub) => () => hub.call("tool", who, "everything", "everything_echo")?.end(reply);

/** A client request with its span, the backend call with its span and injection, as the gateway does. */
const traced = (hub: Hub, t: Tracing) => () =>
  t.request(
    who,
    "tools/call",
    params,
    () => {},
    (done) => {
      hub.call("tool", who, "everything", "everything_echo")?.end(reply);
      const span = t.backend("everything", "tools/call", params);
      span.end(reply);
      done(reply);
      return undefined;
    },
  );

const sink = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
try {
  const off = await time(call(new Hub()));
  const withMetrics = new Hub();
  withMetrics.metrics = new Metrics({ servers: () => [] });
  const metrics = await time(call(withMetrics));
  const withAudit = new Hub();
  withAudit.audit = new AuditLog("/dev/null", "/", (p) => p);
  const audit = await time(call(withAudit));
  // The exporter reads the process environment itself, as in the gateway.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${sink.port}`;
  const tracing = startTracing(process.env);
  if (!tracing) throw new Error("traces did not start");
  const traces = await time(traced(new Hub(), tracing));
  const all = await time(traced(withMetrics, tracing));
  const row = (what: string, us: number) => `| ${what} | ${us.toFixed(3)} |`;
  console.log("| observer work per tool call | µs |\n|---|---:|");
  console.log(
    [
      row("nothing on", off),
      row("metrics", metrics),
      row("audit log (to /dev/null)", audit),
      row("traces (2 spans, `_meta` injection; export batched)", traces),
      row("metrics + traces", all),
    ].join("\n"),
  );
} finally {
  sink.stop(true);
}
