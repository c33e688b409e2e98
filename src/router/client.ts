/** Where a request came from, as the router sees it: a legacy session, or one modern request. */
import type { Caller, Owner } from "../backend/types.ts";
import type { Role } from "./roles.ts";

export interface Client extends Caller {
  readonly role: Role;
  /** The front it came by: "stdio", "http" or "sse". */
  readonly front: string;
  /** The legacy session's number on this gateway (audit, spans); undefined for a modern request. */
  readonly sessionNo?: number;
  readonly protocolVersion?: string;
  /** Who presented the request ("" without auth tokens): binds sealed request state to its caller. */
  readonly principal: string;
}

/** Tools answering per caller (gateway_status) get a Client; anything else sees no role. */
export const isClient = (c: Caller): c is Client => "role" in c && "principal" in c;

/**
 * The owner of a modern HTTP request's per_session processes: its principal (the bearer token's
 * label), the one identity a stateless request carries; all tokenless ones share one.
 */
export const principalOwner = (principal: string): Owner => ({
  key: principal === "" ? "modern requests without a token" : `token ${principal}`,
});
