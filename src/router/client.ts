/** Where a request came from, as the router sees it: a legacy session, or one modern request. */
import type { Caller } from "../backend/types.ts";
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
