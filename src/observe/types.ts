/** The Observer the layers report into (metrics, traces, audit log); a no-op when none listens. */
import { GatewayError } from "../errors.ts";
import type { Params, RpcResponse } from "../jsonrpc.ts";

export type CallKind = "tool" | "prompt" | "resource";
/** How a tool call, prompt get or resource read ended: a metric label and the audit's outcome. */
export type Outcome =
  | "ok"
  | "tool_error"
  | "protocol_error"
  | "timeout"
  | "cancelled"
  | "backend_error";
/**
 * Why a backend stopped ("reload": the config changed; "shutdown": the gateway is closing;
 * "session": the client session owning a `share: per_session` process ended).
 */
export type StopReason = "idle" | "crash" | "reload" | "shutdown" | "session";
export type RefusalReason = "auth" | "origin" | "size" | "role";
export type Era = "legacy" | "modern";

/** Who made a request, as the audit log and spans name it; a Session or a ModernRequest is one. */
export interface Who {
  /** "stdio", "http" or "sse". */
  readonly front: string;
  /** The legacy session's number on this gateway; none for a modern (stateless) request. */
  readonly sessionNo?: number;
  readonly roleName?: string;
  /** The principal id ("token:" and a keyed hash of the token), or "" without tokens. */
  readonly principal: string;
  readonly protocolVersion?: string;
}

/** One observed call, from the router's forward to its outcome. The first report wins. */
export interface CallWatch {
  /** The backend's answer as it came, or the gateway's own error. */
  end(outcome: RpcResponse | GatewayError): void;
  /** The client cancelled it, or went away, before the answer. */
  cancelled(): void;
}

/** One backend's life cycle, reported by its Instance. */
export interface BackendProbe {
  /** Ready after `ms`; `restart`: not the first start of this backend. */
  started(ms: number, restart: boolean): void;
  startFailed(ms: number): void;
  stopped(reason: StopReason): void;
}

export interface Observer {
  /** A call resolved to a known target; undefined when nothing listens (no cost beyond the call). */
  call(
    kind: CallKind,
    who: Who,
    server: string,
    name: string,
    /** The metric label when it is not `name` (a resource URI's: the listed URI or its template). */
    label?: () => string,
  ): CallWatch | undefined;
  /** A request for something that exists but the caller's role hides (answered as unknown). */
  denied(kind: CallKind, who: Who, name: string): void;
  /** A legacy session, or a modern request (that era's unit), opened; returns its closing report
   * (undefined when nothing listens). */
  opened(front: string, era: Era): (() => void) | undefined;
  refused(reason: RefusalReason): void;
  backend(server: string): BackendProbe;
  /** Tool search: one search, and one tools/list served in search mode (its JSON bytes, served
   * and full, asked only when counted: measuring them is not free). */
  searched(): void;
  listed(bytes: () => { served: number; full: number }): void;
}

const nothing = () => {};
const NO_PROBE: BackendProbe = { started: nothing, startFailed: nothing, stopped: nothing };

export const NOOP_OBSERVER: Observer = {
  call: () => undefined,
  denied: nothing,
  opened: () => undefined,
  refused: nothing,
  backend: () => NO_PROBE,
  searched: nothing,
  listed: nothing,
};

/** The label of local targets: "_" cannot start a configured server's name, so no clash. */
export const PLUGINS_SERVER = "_plugins";
export const BUILT_IN_SERVER = "_gateway";

/** How a call ended, from what came back (and, for tools, whether it was a tool error). */
export function outcomeOf(kind: CallKind, o: RpcResponse | GatewayError): Outcome {
  if (o instanceof GatewayError)
    return o.code === "CALL_TIMEOUT"
      ? "timeout"
      : o.code === "CANCELLED"
        ? "cancelled"
        : "backend_error";
  if (o.error) return "protocol_error";
  return kind === "tool" && o.result?.isError === true ? "tool_error" : "ok";
}

/** A cancel that reports the cancellation first. */
export const watchedCancel =
  (watch: CallWatch, cancel: () => void): (() => void) =>
  () => {
    watch.cancelled();
    cancel();
  };

/** The W3C trace context a request carries in `_meta` (SEP-414: unprefixed keys). */
export function metaTraceparent(params: Params | undefined): string | undefined {
  const tp = params?._meta?.traceparent;
  return typeof tp === "string" ? tp : undefined;
}

/** A backend request's CLIENT span: the params to send (trace context in `_meta`), and its end. */
export interface BackendSpan {
  params: Params | undefined;
  end(outcome: RpcResponse | GatewayError | "cancelled"): void;
}

/** Traces: what the layers call when they are on (trace-state.ts holds whether they are). */
export interface Tracing {
  /**
   * A client request: its SERVER span (parent: `_meta` trace context, else the HTTP request's),
   * `run` inside it, the span ended by the reply or the cancel.
   */
  request(
    who: Who,
    method: string,
    params: Params | undefined,
    done: (reply: RpcResponse) => void,
    run: (done: (reply: RpcResponse) => void) => (() => void) | undefined,
  ): (() => void) | undefined;
  /** The request being served resolved to a target: the span is named after it. */
  target(kind: CallKind, server: string, name: string): void;
  /** A request to a backend, sent from inside a client request's span. */
  backend(server: string, method: string, params: Params | undefined): BackendSpan;
  /** Runs an HTTP request's handling in the trace context of its `traceparent` header. */
  http<T>(headers: Headers, run: () => T): T;
  /** W3C headers for a remote backend, from a request's `_meta` (set by `backend`). */
  headers(params: Params | undefined): Record<string, string> | undefined;
  /** The trace id of the span in progress, for the audit log. */
  traceId(): string | undefined;
  /** Exports what is buffered (the gateway is closing). */
  flush(): Promise<void>;
}
