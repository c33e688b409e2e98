import type { Id, Params, RpcNotification } from "../jsonrpc.ts";
import type { ListKind } from "../protocol.ts";
import type { Outcome, OutcomeHandler } from "./connection.ts";

export type { Outcome, OutcomeHandler };

/** Client-side capabilities a backend may use through the gateway. */
export type RelayedCapability = "sampling" | "elicitation" | "roots";

/**
 * The client a forwarded request came from, as the backend layer sees it: where its
 * progress goes and where a backend's sampling/elicitation/roots request is relayed.
 */
export interface Caller {
  readonly label: string;
  /** Whose process of a `share: per_session` server serves it (none: the gateway's own requests). */
  readonly owner?: Owner;
  /** The caller's role, for in-process tools that answer per role (gateway_status). */
  readonly roleName?: string;
  /** A modern-era client (per-request envelope, input_required instead of server requests). */
  readonly modern?: boolean;
  /** What the client declared it can do; sent on to modern backends with each request. */
  readonly capabilities: Record<string, unknown>;
  /** The least severe log level the client wants on this request (modern clients only). */
  readonly logLevel?: string;
  notify(method: string, params: Params): void;
  request(method: string, params: Params | undefined, signal: AbortSignal): Promise<Outcome>;
  can(capability: RelayedCapability): boolean;
  /**
   * The backend asked for something this client did not declare. A modern client's request
   * then fails with MissingRequiredClientCapability; a legacy one's goes on (the backend is told).
   */
  refuse?(capability: RelayedCapability): void;
}

/**
 * Who a `share: per_session` server's process belongs to: a legacy session (a Streamable HTTP or
 * legacy SSE session, or a stdio connection), or the principal of modern HTTP requests.
 */
export interface Owner {
  /** Unique among the owners alive ("http client #3", "token <principal id>"); shown in status. */
  readonly key: string;
  /** Resolves when the owner is gone (its session closed); a principal never goes. */
  readonly ended?: Promise<void>;
  /** The owner's legacy session: where the backend's requests go when none of its calls is in flight. */
  readonly session?: Caller;
}

/**
 * Which backend process a message came from: `key` is the server's name for a shared server, and
 * names the owner's process too for a per_session one (never a server name: those have no space).
 */
export interface Source {
  readonly key: string;
  readonly owner?: Owner;
}

/** Stops a forwarded request: the backend is told, the caller gets no answer. */
export type Cancel = () => void;

/** Anything a request can be routed to: a backend process, a remote server, the plugins. */
export interface Target {
  readonly name: string;
  forward(method: string, params: Params | undefined, caller: Caller, done: OutcomeHandler): Cancel;
}

export interface ServerEvents {
  listsChanged(server: string, kinds: ListKind[]): void;
  /** A backend's notification; `from` tells a per_session server's processes apart. */
  notification(server: string, message: RpcNotification, from: Source): void;
  /** The caller for a shared backend's request that arrives with no client request in flight. */
  fallbackCaller(): Caller | undefined;
  /** Where a backend request about one of its tasks goes, and the task id that client knows. */
  taskCaller?(from: Source, backendTaskId: string): TaskCaller | undefined;
}

/** The client a task belongs to, and the task's id as that client knows it. */
export interface TaskCaller {
  caller: Caller;
  taskId: string;
}

export type ServerState =
  | "stopped"
  | "starting"
  | "running"
  | "stopping"
  | "backing off"
  | "failed";

export type ProgressToken = Id;
