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

/** Stops a forwarded request: the backend is told, the caller gets no answer. */
export type Cancel = () => void;

/** Anything a request can be routed to: a backend process, a remote server, the plugins. */
export interface Target {
  readonly name: string;
  forward(method: string, params: Params | undefined, caller: Caller, done: OutcomeHandler): Cancel;
}

export interface ServerEvents {
  listsChanged(server: string, kinds: ListKind[]): void;
  notification(server: string, message: RpcNotification): void;
  /** The caller for a backend request that arrives with no client request in flight. */
  fallbackCaller(): Caller | undefined;
  /** Where a backend request about one of its tasks goes, and the task id that client knows. */
  taskCaller?(server: string, backendTaskId: string): TaskCaller | undefined;
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
