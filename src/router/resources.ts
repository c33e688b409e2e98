/**
 * Requests about resources, routed by URI: read, subscribe, unsubscribe, completion of a template
 * argument, and the resources a modern listen stream watches. A URI that only a template could
 * match waits for the template matcher to load (uri-templates.ts), once.
 */
import type { ServerHandle } from "../backend/server.ts";
import type { Cancel, OutcomeHandler } from "../backend/types.ts";
import { GatewayError } from "../errors.ts";
import { ErrorCode, type Params, RpcError } from "../jsonrpc.ts";
import { gatewayFailure, ok, type Reply, thrownReply } from "../replies.ts";
import { type Catalog, NEEDS_MATCHER } from "./catalog.ts";
import type { Client } from "./client.ts";
import type { Listener } from "./listen.ts";
import type { Role } from "./roles.ts";
import { Session } from "./session.ts";
import type { Subscriptions } from "./subscriptions.ts";
import { loadTemplates } from "./uri-templates.ts";

type Done = (reply: Reply) => void;

export const unknownResource = (uri: unknown) =>
  new RpcError(ErrorCode.ResourceNotFound, `Resource not found: ${String(uri)}`, { uri });

/** A method the modern era removed, asked for by a modern client. */
export const notInThisEra = (method: string) =>
  new RpcError(ErrorCode.MethodNotFound, `Method not found: ${method}`);

/** A backend's answer as it came, or the gateway's own failure as a JSON-RPC error. */
export const asReply =
  (done: Done): OutcomeHandler =>
  (o) =>
    done(o instanceof GatewayError ? gatewayFailure(o) : o);

export class ResourceRoutes {
  constructor(
    private readonly catalog: Catalog,
    private readonly servers: (role: Role) => Set<string>,
    private readonly subscriptions: Subscriptions,
  ) {}

  read(s: Client, p: Params | undefined, done: Done): Cancel | undefined {
    return this.route(s.role, p?.uri, done, (server) =>
      server.forward("resources/read", p, s, asReply(done)),
    );
  }

  subscribe(s: Client, p: Params | undefined, done: Done): Cancel | undefined {
    if (!(s instanceof Session)) throw notInThisEra("resources/subscribe");
    const uri = p?.uri as string;
    return this.route(s.role, uri, done, (server) =>
      this.subscriptions.add(s, server, uri)
        ? server.watch(uri, p, s, asReply(done))
        : void done(ok({})),
    );
  }

  unsubscribe(s: Client, p: Params | undefined, done: Done): Cancel | undefined {
    if (!(s instanceof Session)) throw notInThisEra("resources/unsubscribe");
    const uri = p?.uri as string;
    return this.route(s.role, uri, done, (server) =>
      this.subscriptions.remove(s, server, uri)
        ? server.unwatch(uri, p, s, asReply(done))
        : void done(ok({})),
    );
  }

  /** completion/complete for an argument of a resource template. */
  complete(s: Client, p: Params | undefined, uri: unknown, done: Done): Cancel | undefined {
    return this.route(s.role, uri, done, (server) =>
      server.forward("completion/complete", p, s, asReply(done)),
    );
  }

  /** The resources a listen stream asked to watch: each watched at the server that has it. */
  watch(listener: Listener): void {
    for (const uri of listener.filter.resourceSubscriptions ?? [])
      void this.resolve(listener.role, uri).then((server) => {
        if (server && this.subscriptions.add(listener, server, uri)) server.watch(uri);
      });
  }

  /** The server a role reads `uri` from, waiting for the template matcher when it must. */
  private async resolve(role: Role, uri: string): Promise<ServerHandle | undefined> {
    const visible = this.servers(role);
    const found = this.catalog.resolveUri(uri, (n) => visible.has(n));
    if (found !== NEEDS_MATCHER) return found;
    await loadTemplates();
    const again = this.catalog.resolveUri(uri, (n) => visible.has(n));
    return again === NEEDS_MATCHER ? undefined : again;
  }

  /**
   * Runs `go` with the server for `uri` (an unknown URI throws, as an unknown resource); when
   * only a template could match it and the matcher is not loaded yet, `go` runs once it is.
   */
  private route(
    role: Role,
    uri: unknown,
    done: Done,
    go: (server: ServerHandle) => Cancel | undefined,
  ): Cancel | undefined {
    const visible = this.servers(role);
    const found =
      typeof uri === "string" ? this.catalog.resolveUri(uri, (n) => visible.has(n)) : undefined;
    if (found === undefined) throw unknownResource(uri);
    if (found !== NEEDS_MATCHER) return go(found);
    let cancelled = false;
    let cancel: Cancel | undefined;
    void loadTemplates().then(() => {
      if (cancelled) return;
      try {
        cancel = this.route(role, uri, done, go);
      } catch (e) {
        done(thrownReply(e));
      }
    });
    return () => {
      cancelled = true;
      cancel?.();
    };
  }
}
