/**
 * The requests in flight on one backend connection: each gets the connection's own integer id,
 * which doubles as its progress token, so two clients never see each other's ids or tokens;
 * call_timeout fails and cancels a request that takes too long.
 */
import { GatewayError } from "../errors.ts";
import type { Params, RpcNotification } from "../jsonrpc.ts";
import { type BackendSpan, tracing } from "../observe/trace-state.ts";
import type { Connection, Outcome, OutcomeHandler } from "./connection.ts";
import { Deadlines } from "./deadlines.ts";
import { stripEnvelope } from "./envelope.ts";
import { answerInputs } from "./inputs.ts";
import type { Caller, Cancel } from "./types.ts";

export interface Call {
  caller: Caller;
  /** Backend requests relayed to the caller on behalf of this call: in all, and not answered yet. */
  relays: number;
  open: number;
  /** The client's own progress token, restored on the way back. */
  token: unknown;
  done: OutcomeHandler;
  /** When call_timeout fails it (Date.now() ms), with what it needs to say so; none without a timeout. */
  deadline?: { at: number; conn: Connection; method: string; ms: number };
  /** Its CLIENT span, when traces are on. */
  span?: BackendSpan;
}

export interface CallStats {
  calls: number;
  errors: number;
}

export interface CallHooks {
  /** The backend answered (with a result or its own error): it works. */
  answered(): void;
  /** A call left the table (answered, failed, cancelled or timed out). */
  settled(): void;
}

export class CallTable {
  private readonly calls = new Map<number, Call>();
  private readonly deadlines = new Deadlines((now) => this.sweep(now));

  constructor(
    private readonly server: string,
    /** call_timeout for calls sent from now on (a reload may change it; calls in flight keep theirs). */
    public timeoutMs: number,
    private readonly stats: CallStats,
    private readonly hooks: CallHooks,
  ) {}

  get size(): number {
    return this.calls.size;
  }

  values(): IterableIterator<Call> {
    return this.calls.values();
  }

  /** Send a request for `caller` on `conn`; `done` runs once, unless the returned cancel runs first. */
  dispatch(
    conn: Connection,
    method: string,
    params: Params | undefined,
    caller: Caller,
    done: OutcomeHandler,
  ): Cancel {
    // A modern backend asks a legacy client for input through input_required: answered here.
    if (conn.modernVersion && !caller.modern)
      return answerInputs(
        this.server,
        (p, d) => this.send(conn, method, p, caller, d),
        params,
        caller,
        done,
      );
    return this.send(
      conn,
      method,
      caller.modern && !conn.modernVersion ? stripEnvelope(params) : params,
      caller,
      done,
    );
  }

  private send(
    conn: Connection,
    method: string,
    params: Params | undefined,
    caller: Caller,
    done: OutcomeHandler,
  ): Cancel {
    const id = conn.allocateId();
    const meta = params?._meta;
    const token = meta?.progressToken;
    // The backend sees our request id as the token: unique on this connection, mapped back on progress.
    let out = token === undefined ? params : { ...params, _meta: { ...meta, progressToken: id } };
    const call: Call = { caller, token, done, relays: 0, open: 0 };
    if (tracing) {
      call.span = tracing.backend(this.server, method, out);
      out = call.span.params;
    }
    this.calls.set(id, call);
    this.stats.calls++;
    const ms = this.timeoutMs;
    if (ms > 0) {
      call.deadline = { at: Date.now() + ms, conn, method, ms };
      this.deadlines.arm(call.deadline.at);
    }
    conn.send(id, method, out, (o) => this.finish(id, o), caller);
    return () => {
      if (!this.calls.has(id)) return;
      call.span?.end("cancelled");
      this.end(id);
      conn.abandon(id, "cancelled by the client");
    };
  }

  /** A backend's progress notification, back to its caller with the caller's own token. */
  progress(m: RpcNotification): void {
    const p = m.params;
    const call = typeof p?.progressToken === "number" ? this.calls.get(p.progressToken) : undefined;
    if (call && call.token !== undefined)
      call.caller.notify(m.method, { ...p, progressToken: call.token });
  }

  private finish(id: number, outcome: Outcome): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.end(id);
    call.span?.end(outcome);
    if (outcome instanceof GatewayError) this.stats.errors++;
    else {
      this.hooks.answered();
      if (outcome.error) this.stats.errors++;
    }
    call.done(outcome);
  }

  private end(id: number): void {
    this.calls.delete(id);
    this.hooks.settled();
  }

  /** Fail the calls whose call_timeout passed; the earliest deadline left. */
  private sweep(now: number): number {
    let next = Number.POSITIVE_INFINITY;
    const due: number[] = [];
    for (const [id, call] of this.calls) {
      const at = call.deadline?.at ?? Number.POSITIVE_INFINITY;
      if (at <= now) due.push(id);
      else if (at < next) next = at;
    }
    for (const id of due) this.timedOut(id);
    return next;
  }

  private timedOut(id: number): void {
    const call = this.calls.get(id);
    if (!call?.deadline) return;
    const { conn, method, ms } = call.deadline;
    this.end(id);
    conn.abandon(id, "call_timeout passed");
    this.stats.errors++;
    const s = ms / 1000;
    const error = new GatewayError(
      "CALL_TIMEOUT",
      `server "${this.server}" did not answer ${method} within ${s} s (call_timeout)`,
    );
    call.span?.end(error);
    call.done(error);
  }
}
