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
  notify(method: string, params: Params): void;
  request(method: string, params: Params | undefined, signal: AbortSignal): Promise<Outcome>;
  can(capability: RelayedCapability): boolean;
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
}

export type ServerState =
  | "stopped"
  | "starting"
  | "running"
  | "stopping"
  | "backing off"
  | "failed";

export type ProgressToken = Id;
