/** The Prometheus metrics (prom-client), loaded only when metrics are on; bounded label sets. */
import {
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  Registry,
  type RegistryContentType,
} from "prom-client";
import { redact } from "../log.ts";
import { VERSION } from "../version.ts";
import { CallCells, CellCounter, CellHistogram } from "./cells.ts";
import type { CallKind, Era, RefusalReason, StopReason } from "./types.ts";

/** What the metrics read at scrape time instead of counting on the hot path. */
export interface MetricsSource {
  /** `processes`: how many it runs now (one per client session for `share: per_session`). */
  servers(): Iterable<{ name: string; state: string; inFlight: number; processes: number }>;
}

/** The MCP semantic conventions' duration buckets, with finer ones below 10 ms: a forwarded call
 * through the gateway takes a fraction of a millisecond. */
const CALL_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300,
];
const START_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
const STATES = ["stopped", "starting", "running", "stopping", "backing off", "failed"];
/** Process metrics prom-client offers that read as 0 under Bun (no libuv handle list, no V8 heap
 * spaces, Node's version rather than Bun's): left out rather than shown wrong. */
const MISLEADING = [
  "nodejs_active_handles",
  "nodejs_active_handles_total",
  "nodejs_active_requests",
  "nodejs_active_requests_total",
  "nodejs_active_resources",
  "nodejs_active_resources_total",
  "nodejs_heap_space_size_total_bytes",
  "nodejs_heap_space_size_used_bytes",
  "nodejs_heap_space_size_available_bytes",
  "nodejs_version_info",
];

interface CallFamily {
  /** The label naming the thing called: tool, prompt or resource. */
  label: string;
  cells: Map<string, Map<string, CallCells>>;
}

/** Every cell of a family. */
function* allCells(f: CallFamily): Iterable<CallCells> {
  for (const byName of f.cells.values()) yield* byName.values();
}

export class Metrics {
  /** Either format: the exposition switches it per scrape. */
  readonly registry = new Registry<RegistryContentType>();
  private readonly families: Record<CallKind, CallFamily>;
  private readonly starts: Counter;
  private readonly startFailures: Counter;
  private readonly startDuration: Histogram;
  private readonly stops: Counter;
  private readonly restarts: Counter;
  private readonly sessionsOpened: Counter;
  private readonly sessionsActive: Gauge;
  private readonly refusals: Counter;
  private readonly searches: Counter;
  private readonly listBytes: Counter;

  constructor(source: MetricsSource) {
    const registers = [this.registry];
    const family = (kind: string, label: string, verb: string): CallFamily => {
      const f: CallFamily = { label, cells: new Map() };
      new CellCounter(
        {
          name: `mcp_gateway_${kind}_total`,
          help: `${verb} by server, ${label} and outcome (ok, tool_error, protocol_error, timeout, cancelled, backend_error)`,
          labelNames: ["server", label, "outcome"],
          registers,
        },
        () => allCells(f),
      );
      new CellHistogram(
        {
          name: `mcp_gateway_${kind.replace(/s$/, "")}_duration_seconds`,
          help: `${verb}: seconds from the gateway's forward to the answer, by server and ${label}`,
          labelNames: ["server", label],
          buckets: CALL_BUCKETS,
          registers,
        },
        () => allCells(f),
      );
      return f;
    };
    this.families = {
      tool: family("tool_calls", "tool", "Tool calls (tools/call)"),
      prompt: family("prompt_gets", "prompt", "Prompt gets (prompts/get)"),
      resource: family("resource_reads", "resource", "Resource reads (resources/read)"),
    };
    this.starts = new Counter({
      name: "mcp_gateway_backend_starts_total",
      help: "Backend starts that succeeded (initialized and ready)",
      labelNames: ["server"],
      registers,
    });
    this.startFailures = new Counter({
      name: "mcp_gateway_backend_start_failures_total",
      help: "Backend starts that failed (exited, timed out, refused the handshake)",
      labelNames: ["server"],
      registers,
    });
    this.startDuration = new Histogram({
      name: "mcp_gateway_backend_start_duration_seconds",
      help: "Seconds from starting a backend to its being ready (successful starts)",
      labelNames: ["server"],
      buckets: START_BUCKETS,
      registers,
    });
    this.stops = new Counter({
      name: "mcp_gateway_backend_stops_total",
      help: "Backend stops by reason (idle, crash, reload, shutdown, session)",
      labelNames: ["server", "reason"],
      registers,
    });
    this.restarts = new Counter({
      name: "mcp_gateway_backend_restarts_total",
      help: "Backend starts after the first one",
      labelNames: ["server"],
      registers,
    });
    new Gauge({
      name: "mcp_gateway_backend_state",
      help: "1 for the state each backend is in now (stopped, starting, running, stopping, backing off, failed)",
      labelNames: ["server", "state"],
      registers,
      collect() {
        // From scratch each scrape: a server a reload removed leaves no stale series behind.
        this.reset();
        for (const s of source.servers())
          for (const state of STATES)
            this.set({ server: s.name, state }, s.state === state ? 1 : 0);
      },
    });
    new Gauge({
      name: "mcp_gateway_backend_in_flight",
      help: "Requests in flight on each backend",
      labelNames: ["server"],
      registers,
      collect() {
        this.reset();
        for (const s of source.servers()) this.set({ server: s.name }, s.inFlight);
      },
    });
    new Gauge({
      name: "mcp_gateway_backend_processes",
      help: "Processes (or remote connections) each server has now: 0 or 1, or one per client session with share: per_session",
      labelNames: ["server"],
      registers,
      collect() {
        this.reset();
        for (const s of source.servers()) this.set({ server: s.name }, s.processes);
      },
    });
    this.sessionsOpened = new Counter({
      name: "mcp_gateway_sessions_opened_total",
      help: "Client sessions opened, by front (stdio, http, sse) and era (legacy: a session; modern: one stateless request)",
      labelNames: ["front", "era"],
      registers,
    });
    this.sessionsActive = new Gauge({
      name: "mcp_gateway_sessions_active",
      help: "Client sessions open now, by front and era (modern: requests and listen streams in flight)",
      labelNames: ["front", "era"],
      registers,
    });
    this.refusals = new Counter({
      name: "mcp_gateway_requests_refused_total",
      help: "Requests refused, by reason (auth, origin, size, role)",
      labelNames: ["reason"],
      registers,
    });
    this.searches = new Counter({
      name: "mcp_gateway_tool_search_searches_total",
      help: "Tool searches (gateway_search_tools calls)",
      registers,
    });
    this.listBytes = new Counter({
      name: "mcp_gateway_tool_search_list_bytes_total",
      help: "JSON bytes of the tools arrays served by tools/list in search mode (list=served), and of the full lists they stand for (list=full); about 4.4 bytes a token",
      labelNames: ["list"],
      registers,
    });
    new Gauge({
      name: "mcp_gateway_info",
      help: "The gateway's version and runtime",
      labelNames: ["version", "runtime"],
      registers,
    }).set({ version: VERSION, runtime: `bun ${Bun.version}` }, 1);
    // A 100 ms sampling of event-loop delay instead of 10 ms: an idle gateway wakes 10 times a
    // second, not 100, and a stall of 100 ms or more is still caught.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
    for (const name of MISLEADING) this.registry.removeSingleMetric(name);
  }

  /** The cells of one call target, created on its first call. */
  call(kind: CallKind, server: string, name: string): CallCells {
    const f = this.families[kind];
    let byName = f.cells.get(server);
    if (!byName) {
      byName = new Map();
      f.cells.set(server, byName);
    }
    let cells = byName.get(name);
    if (!cells) {
      cells = new CallCells({ server, [f.label]: redact(name) }, CALL_BUCKETS);
      byName.set(name, cells);
    }
    return cells;
  }

  backendStarted(server: string, ms: number, restart: boolean): void {
    this.starts.inc({ server });
    if (restart) this.restarts.inc({ server });
    this.startDuration.observe({ server }, ms / 1000);
  }

  backendStartFailed(server: string): void {
    this.startFailures.inc({ server });
  }

  backendStopped(server: string, reason: StopReason): void {
    this.stops.inc({ server, reason });
  }

  opened(front: string, era: Era): () => void {
    this.sessionsOpened.inc({ front, era });
    const active = this.sessionsActive.labels({ front, era });
    active.inc();
    return () => active.dec();
  }

  refused(reason: RefusalReason): void {
    this.refusals.inc({ reason });
  }

  searched(): void {
    this.searches.inc();
  }

  listed(served: number, full: number): void {
    this.listBytes.inc({ list: "served" }, served);
    this.listBytes.inc({ list: "full" }, full);
  }
}
