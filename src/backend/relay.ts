/**
 * A backend's own requests (sampling, elicitation, roots) relayed to the client they belong to,
 * and the answer relayed back; the backend may cancel one it no longer needs.
 */
import { RELATED_TASK_META_KEY } from "../era/keys.ts";
import { GatewayError } from "../errors.ts";
import { ErrorCode, type Id, type Params, type RpcRequest } from "../jsonrpc.ts";
import type { Call } from "./calls.ts";
import type { Connection } from "./connection.ts";
import type { Caller, RelayedCapability, TaskCaller } from "./types.ts";

const RELAYED: Record<string, RelayedCapability> = {
  "sampling/createMessage": "sampling",
  "elicitation/create": "elicitation",
  "roots/list": "roots",
};

export interface RelaySource {
  /** The calls in flight on the backend, oldest first. */
  calls(): Iterable<Call>;
  /** Callers waiting for the backend to start, latest last. */
  waiting(): readonly Caller[];
  /** The caller when nothing is in flight or waiting (the only client, if there is one). */
  fallback(): Caller | undefined;
  /** The owner of one of the backend's tasks (a request naming its task goes there, exactly). */
  task?(backendTaskId: string): TaskCaller | undefined;
}

/** The backend task a request names in its related-task `_meta` (2025-11-25 tasks). */
function relatedTask(
  params: Params | undefined,
): { id: string; meta: Record<string, unknown> } | undefined {
  const meta = params?._meta;
  const related = meta?.[RELATED_TASK_META_KEY] as { taskId?: unknown } | undefined;
  return meta && typeof related?.taskId === "string" ? { id: related.taskId, meta } : undefined;
}

/**
 * The client a backend's own request goes to. A stdio backend does not say which call it
 * belongs to, so: when every call in flight is one client's, that client; else the call with
 * no relayed request open and the fewest relayed so far, the oldest first (concurrent calls of
 * one tool ask in turn); no call in flight: the client waiting for the start, else the only
 * session.
 */
export function relayTarget(source: RelaySource): { caller: Caller; call?: Call } | undefined {
  let first: Call | undefined;
  let best: Call | undefined;
  let last: Call | undefined;
  let oneCaller = true;
  for (const call of source.calls()) {
    if (first && call.caller !== first.caller) oneCaller = false;
    first ??= call;
    last = call;
    if (call.open === 0 && (!best || call.relays < best.relays)) best = call;
  }
  if (last) {
    const call = oneCaller ? last : (best ?? last);
    return { caller: call.caller, call };
  }
  const waiting = source.waiting();
  const caller = waiting[waiting.length - 1] ?? source.fallback();
  return caller ? { caller } : undefined;
}

/** The relayed requests of one backend connection that still wait for the client's answer. */
export class Relay {
  private readonly open = new Map<Id, AbortController>();

  constructor(
    private readonly server: string,
    private readonly source: RelaySource,
  ) {}

  /** A request from the backend: answered here (ping, unknown methods) or relayed to a client. */
  request(conn: Connection, m: RpcRequest): void {
    if (m.method === "ping") return conn.respond(m.id, {});
    const cap = Object.hasOwn(RELAYED, m.method) ? RELAYED[m.method] : undefined;
    if (!cap)
      return conn.respond(m.id, undefined, {
        code: ErrorCode.MethodNotFound,
        message: `Method not found: ${m.method}`,
      });
    // A request about a task goes to the task's owner, under the task id it knows; the rest to
    // the call it most likely belongs to.
    const related = relatedTask(m.params);
    const bound = related ? this.source.task?.(related.id) : undefined;
    const target = bound ? { caller: bound.caller, call: undefined } : relayTarget(this.source);
    const params =
      bound && related
        ? {
            ...m.params,
            _meta: { ...related.meta, [RELATED_TASK_META_KEY]: { taskId: bound.taskId } },
          }
        : m.params;
    const caller = target?.caller;
    if (!caller)
      return conn.respond(m.id, undefined, {
        code: ErrorCode.InvalidRequest,
        message: `mcp-gateway: no client request is in flight on server "${this.server}" to relay ${m.method} to`,
      });
    if (!caller.can(cap)) {
      caller.refuse?.(cap);
      return conn.respond(m.id, undefined, {
        code: ErrorCode.MethodNotFound,
        message: `mcp-gateway: the client (${caller.label}) does not support ${cap}, which ${m.method} needs`,
      });
    }
    const ac = new AbortController();
    this.open.set(m.id, ac);
    const call = target.call;
    if (call) {
      call.relays++;
      call.open++;
    }
    caller.request(m.method, params, ac.signal).then((o) => {
      this.open.delete(m.id);
      if (call) call.open--;
      if (ac.signal.aborted) return;
      if (o instanceof GatewayError)
        conn.respond(m.id, undefined, { code: ErrorCode.InternalError, message: o.message });
      else conn.respond(m.id, o.result, o.error);
    });
  }

  /** The backend cancelled one of its requests. */
  cancel(requestId: unknown): void {
    this.open.get(requestId as Id)?.abort();
  }

  /** The connection ended: nobody waits for the answers any more. */
  abortAll(): void {
    for (const ac of this.open.values()) ac.abort();
    this.open.clear();
  }
}
