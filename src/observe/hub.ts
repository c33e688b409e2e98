/** The gateway's observer: what the layers report goes to the metrics, audit log and spans. */
import type { GatewayError } from "../errors.ts";
import type { RpcResponse } from "../jsonrpc.ts";
import type { AuditLog } from "./audit.ts";
import type { CallCells } from "./cells.ts";
import type { Metrics } from "./metrics.ts";
import { tracing } from "./trace-state.ts";
import {
  type BackendProbe,
  type CallKind,
  type CallWatch,
  type Era,
  type Observer,
  type Outcome,
  outcomeOf,
  type RefusalReason,
  type StopReason,
  type Who,
} from "./types.ts";

class Watch implements CallWatch {
  private readonly start = performance.now();
  private open = true;

  constructor(
    private readonly kind: CallKind,
    private readonly who: Who,
    private readonly server: string,
    private readonly name: string,
    private readonly cells: CallCells | undefined,
    private readonly audit: AuditLog | undefined,
    private readonly traceId: string | undefined,
  ) {}

  end(o: RpcResponse | GatewayError): void {
    if (this.open) this.report(outcomeOf(this.kind, o));
  }

  cancelled(): void {
    if (this.open) this.report("cancelled");
  }

  private report(outcome: Outcome): void {
    this.open = false;
    const ms = performance.now() - this.start;
    this.cells?.record(outcome, ms / 1000);
    this.audit?.write({
      kind: this.kind,
      who: this.who,
      name: this.name,
      server: this.server,
      ms,
      outcome,
      traceId: this.traceId,
    });
  }
}

export class Hub implements Observer {
  /** Set when metrics are turned on (the HTTP front or --metrics-port), before any request. */
  metrics?: Metrics;
  audit?: AuditLog;

  call(
    kind: CallKind,
    who: Who,
    server: string,
    name: string,
    label?: () => string,
  ): CallWatch | undefined {
    const t = tracing;
    t?.target(kind, server, name);
    const cells = this.metrics?.call(kind, server, label ? label() : name);
    const audit = this.audit;
    if (!cells && !audit) return undefined;
    return new Watch(kind, who, server, name, cells, audit, audit ? t?.traceId() : undefined);
  }

  denied(kind: CallKind, who: Who, name: string): void {
    this.metrics?.refused("role");
    this.audit?.write({ kind, who, name, server: null, ms: 0, outcome: "denied" });
  }

  opened(front: string, era: Era): (() => void) | undefined {
    return this.metrics?.opened(front, era);
  }

  refused(reason: RefusalReason): void {
    this.metrics?.refused(reason);
  }

  backend(server: string): BackendProbe {
    // Looked up at each event: metrics may be turned on after the backends were created.
    return {
      started: (ms, restart) => this.metrics?.backendStarted(server, ms, restart),
      startFailed: () => this.metrics?.backendStartFailed(server),
      stopped: (reason: StopReason) => this.metrics?.backendStopped(server, reason),
    };
  }

  searched(): void {
    this.metrics?.searched();
  }

  listed(bytes: () => { served: number; full: number }): void {
    if (!this.metrics) return;
    const { served, full } = bytes();
    this.metrics.listed(served, full);
  }
}
