/**
 * Requests about resources, routed by URI: read, subscribe, unsubscribe, completion of a template
 * argument, and the resources a modern listen stream watches. A URI that only a template could
 * match waits for the template matcher to load (uri-templates.ts), once.
 */
import type { Cancel, OutcomeHandler } from "../backend/types.ts";
import { GatewayError } from "../errors.ts";
import { ErrorCode, type Params, RpcError, type RpcResponse } from "../jsonrpc.ts";
import { type CallWatch, type Observer, watchedCancel } from "../observe/types.ts";
import { gatewayFailure, ok, type Reply, thrownReply } from "../replies.ts";
import { type Catalog, NEEDS_MATCHER } from "./catalog.ts";
import type { Client } from "./client.ts";
import type { Listener } from "./listen.ts";
import type { UriTarget } from "./resource-table.ts";
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
  (done: Done, watch?: CallWatch): OutcomeHandler =>
  (o) => {
    watch?.end(o);
    done(o instanceof GatewayError ? gatewayFailure(o) : o);
  };

export class ResourceRoutes {
  constructor(
    private readonly catalog: Catalog,
    private readonly servers: (role: Role) => Set<string>,
    private readonly subscriptions: Subscriptions,
    private readonly observe: () => Observer,
  ) {}

  read(s: Client, p: Params | undefined, done: Done): Cancel | undefined {
    const go = ({ server, uri }: UriTarget): Cancel => {
      const asked = p?.uri as string;
      const label = () => this.catalog.uris.labelOf(asked, server);
      const watch = this.observe().call("resource", s, server.name, asked, label);
      const reply = asReply(done, watch);
      // An alias: the server reads its own URI, the client sees the one it asked for.
      const cancel =
        uri === asked
          ? server.forward("resources/read", p, s, reply)
          : server.forward("resources/read", { ...p, uri }, s, (o) =>
              reply(o instanceof GatewayError ? o : renamed(o, uri, asked)),
            );
      return watch ? watchedCancel(watch, cancel) : cancel;
    };
    return this.route(s.role, p?.uri, done, go, s);
  }

  subscribe(s: Client, p: Params | undefined, done: Done): Cancel | undefined {
    if (!(s instanceof Session)) throw notInThisEra("resources/subscribe");
    const asked = p?.uri as string;
    return this.route(s.role, asked, done, ({ server, uri }) => {
      // Watched at the process that serves this session (a per_session server's own).
      const lane = server.bind(s.owner);
      if (lane instanceof GatewayError) return void done(gatewayFailure(lane));
      return this.subscriptions.add(s, lane, uri, asked)
        ? lane.watch(uri, { ...p, uri }, s, asReply(done))
        : void done(ok({}));
    });
  }

  unsubscribe(s: Client, p: Params | undefined, done: Done): Cancel | undefined {
    if (!(s instanceof Session)) throw notInThisEra("resources/unsubscribe");
    return this.route(s.role, p?.uri, done, ({ server, uri }) => {
      const lane = server.laneOf(s.owner);
      return lane && this.subscriptions.remove(s, lane, uri)
        ? lane.unwatch(uri, { ...p, uri }, s, asReply(done))
        : void done(ok({}));
    });
  }

  /** completion/complete for an argument of a resource template. */
  complete(s: Client, p: Params | undefined, uri: unknown, done: Done): Cancel | undefined {
    return this.route(s.role, uri, done, (t) =>
      t.server.forward(
        "completion/complete",
        t.uri === uri ? p : { ...p, ref: { ...(p?.ref as object), uri: t.uri } },
        s,
        asReply(done),
      ),
    );
  }

  /** The resources a listen stream asked to watch: each watched at the server that has it. */
  watch(listener: Listener): void {
    for (const asked of listener.filter.resourceSubscriptions ?? [])
      void this.resolve(listener.role, asked).then((t) => {
        const lane = t?.server.bind(listener.owner);
        if (!t || !lane || lane instanceof GatewayError) return;
        if (this.subscriptions.add(listener, lane, t.uri, asked)) lane.watch(t.uri);
      });
  }

  /** Where a role reads `uri` from, waiting for the template matcher when it must. */
  private async resolve(role: Role, uri: string): Promise<UriTarget | undefined> {
    const visible = this.servers(role);
    const found = this.catalog.uris.resolve(uri, (n) => visible.has(n));
    if (found !== NEEDS_MATCHER) return found;
    await loadTemplates();
    const again = this.catalog.uris.resolve(uri, (n) => visible.has(n));
    return again === NEEDS_MATCHER ? undefined : again;
  }

  /**
   * Runs `go` with the server for `uri` (an unknown URI throws, as an unknown resource); when
   * only a template could match it and the matcher is not loaded yet, `go` runs once it is.
   * `asker`: whose read this is, reported when the role hides the resource.
   */
  private route(
    role: Role,
    uri: unknown,
    done: Done,
    go: (target: UriTarget) => Cancel | undefined,
    asker?: Client,
  ): Cancel | undefined {
    const visible = this.servers(role);
    const found =
      typeof uri === "string" ? this.catalog.uris.resolve(uri, (n) => visible.has(n)) : undefined;
    if (found === undefined) {
      const any = asker && typeof uri === "string" ? this.catalog.uris.resolve(uri) : undefined;
      if (asker && any !== undefined && any !== NEEDS_MATCHER)
        this.observe().denied("resource", asker, uri as string);
      throw unknownResource(uri);
    }
    if (found !== NEEDS_MATCHER) return go(found);
    let cancelled = false;
    let cancel: Cancel | undefined;
    void loadTemplates().then(() => {
      if (cancelled) return;
      try {
        cancel = this.route(role, uri, done, go, asker);
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

/** A read of an aliased URI: its contents carry the URI the client asked for. */
function renamed(reply: RpcResponse, own: string, asked: string): RpcResponse {
  const contents = reply.result?.contents;
  if (!Array.isArray(contents)) return reply;
  const fixed = contents.map((c: unknown) =>
    typeof c === "object" && c !== null && (c as { uri?: unknown }).uri === own
      ? { ...c, uri: asked }
      : c,
  );
  // A fresh reply: the backend's raw line (src/raw.ts) must not be written out instead.
  return { jsonrpc: "2.0", id: reply.id, result: { ...reply.result, contents: fixed } };
}
