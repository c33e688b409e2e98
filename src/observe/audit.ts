/** The audit log: one JSON line per tool call, prompt get and resource read, never their data. */
import { closeSync, openSync, writeSync } from "node:fs";
import { resolve } from "node:path";
import { errorMessage, GatewayError } from "../errors.ts";
import { redact } from "../log.ts";
import type { CallKind, Outcome, Who } from "./types.ts";

const FLUSH_MS = 50;
const FLUSH_LINES = 512;

const METHOD: Record<CallKind, string> = {
  tool: "tools/call",
  prompt: "prompts/get",
  resource: "resources/read",
};

export interface AuditEntry {
  kind: CallKind;
  who: Who;
  /** Exposed tool or prompt name, or the resource URI asked for. */
  name: string;
  /** The server that served it; null when the role hid it (outcome "denied"). */
  server: string | null;
  ms: number;
  outcome: Outcome | "denied";
  traceId?: string;
}

/**
 * Lines are collected and written whole by one writer, at most every FLUSH_MS or per FLUSH_LINES
 * lines, and at close: a write per call would cost the gateway a system call per call under load
 * (measured: 12 µs a call at 32 in flight when written once per turn of the event loop). A gateway
 * killed with SIGKILL loses at most the last FLUSH_MS of lines; any other exit writes them.
 */
export class AuditLog {
  /** The file's descriptor; undefined for stderr. */
  private readonly fd?: number;
  private pending: string[] = [];
  private timer?: Timer;
  private closed = false;

  /** `target`: a file (appended to, created if missing; relative to `dir`) or "-" for stderr. */
  constructor(
    target: string,
    dir: string,
    private readonly tokenLabel: (principal: string) => string,
  ) {
    if (target === "-") return;
    try {
      this.fd = openSync(resolve(dir, target), "a", 0o600);
    } catch (e) {
      throw new GatewayError("CONFIG", `audit_log: cannot open "${target}": ${errorMessage(e)}`);
    }
  }

  write(e: AuditEntry): void {
    if (this.closed) return;
    const line = {
      time: new Date().toISOString(),
      method: METHOD[e.kind],
      name: redact(e.name),
      server: e.server,
      outcome: e.outcome,
      duration_ms: Math.round(e.ms * 1000) / 1000,
      front: e.who.front,
      session: e.who.sessionNo ?? null,
      role: e.who.roleName ?? null,
      token: e.who.principal ? this.tokenLabel(e.who.principal) : null,
      ...(e.traceId ? { trace_id: e.traceId } : {}),
    };
    this.pending.push(`${JSON.stringify(line)}\n`);
    if (this.pending.length >= FLUSH_LINES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Writes what is pending now (synchronously: a line is never lost to an exit). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const text = this.pending.join("");
    this.pending = [];
    if (this.fd === undefined) {
      process.stderr.write(text);
      return;
    }
    try {
      const bytes = Buffer.from(text);
      for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off);
    } catch {
      // A full disk must not take the gateway down; these lines are lost.
    }
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
  }
}
