/**
 * One modern-era request, whatever front it came by: its envelope checked, then answered
 * statelessly — `server/discover`, a `subscriptions/listen` stream, a retry resuming an input
 * bridge, or any other method through the router. Methods the modern era removed are unknown.
 */

import type { Owner } from "../backend/types.ts";
import { type Envelope, isEnvelope, readEnvelope } from "../era/envelope.ts";
import { ErrorCode, errorResponse, type RpcRequest } from "../jsonrpc.ts";
import { ok } from "../replies.ts";
import type { Waiter } from "../router/bridge.ts";
import { Listener, readFilter } from "../router/listen.ts";
import { ModernRequest } from "../router/modern-request.ts";
import type { Role } from "../router/roles.ts";
import type { Router } from "../router/router.ts";
import type { RoleSource } from "../router/settings.ts";

/** Legacy-era methods a modern request may not use (the spec's removed list, and the handshake). */
const REMOVED = new Set([
  "initialize",
  "ping",
  "logging/setLevel",
  "resources/subscribe",
  "resources/unsubscribe",
]);

export interface Caller {
  role: Role;
  principal: string;
  front: string;
  /** Its role after a reload (a listen stream outlives one); undefined: the stream ends. */
  roleIn?: RoleSource;
  /** Whose per_session processes serve it (a stdio connection's); default: its principal's. */
  owner?: Owner;
}

export type ModernOut = Pick<Waiter, "related" | "answer">;

/** Handles one modern request; returns what stops it when the client goes away. */
export function serveModern(
  router: Router,
  m: RpcRequest,
  who: Caller,
  out: ModernOut,
): () => void {
  // The modern era's unit is the request: it is the "session" the metrics count, until it ends.
  const closed = router.observe.opened(who.front, "modern");
  if (!closed) return serveRequest(router, m, who, out);
  let open = true;
  const close = () => {
    if (open) {
      open = false;
      closed();
    }
  };
  const stop = serveRequest(router, m, who, {
    related: (n) => out.related(n),
    answer: (r) => {
      close();
      out.answer(r);
    },
  });
  return () => {
    close();
    stop();
  };
}

function serveRequest(router: Router, m: RpcRequest, who: Caller, out: ModernOut): () => void {
  const envelope = readEnvelope(m.params);
  if (!isEnvelope(envelope)) {
    out.answer(errorResponse(m.id, envelope));
    return () => {};
  }
  if (REMOVED.has(m.method)) {
    out.answer(
      errorResponse(m.id, {
        code: ErrorCode.MethodNotFound,
        message: `Method not found: ${m.method} (not part of protocol version ${envelope.version})`,
      }),
    );
    return () => {};
  }
  const req = new ModernRequest(
    m.id,
    m.method,
    m.params,
    who.role,
    who.principal,
    envelope,
    router.modern,
    out,
    who.front,
    who.owner,
  );
  if (m.method === "server/discover") {
    req.finish(ok(router.discover()));
    return () => {};
  }
  if (m.method === "subscriptions/listen") return listen(router, m, who, req, envelope);
  const resumed = req.resume();
  if ("error" in resumed) {
    out.answer(errorResponse(m.id, resumed.error));
    return () => {};
  }
  if ("params" in resumed)
    req.cancel = router.request(req, m.method, resumed.params, (r) => req.finish(r));
  return () => req.abort();
}

/** A listen stream: acknowledged first, then the change notifications it asked for, until it ends. */
function listen(
  router: Router,
  m: RpcRequest,
  who: Caller,
  req: ModernRequest,
  _envelope: Envelope,
): () => void {
  const listener = new Listener(
    m.id,
    who.role,
    readFilter(m.params?.notifications),
    (n) => req.related(n),
    who.roleIn,
    () =>
      req.answer(
        errorResponse(m.id, {
          code: -32000,
          message: "Unauthorized: the bearer token of this stream was removed from the config",
        }),
      ),
  );
  listener.owner = req.owner;
  listener.acknowledge();
  router.listen(listener);
  return () => router.unlisten(listener);
}
