/**
 * One modern `subscriptions/listen` stream: the change notifications a client opted in to, each
 * tagged with the stream's subscription id. The front that holds the stream sends them.
 */
import type { Owner } from "../backend/types.ts";
import { SUBSCRIPTION_ID_META_KEY } from "../era/keys.ts";
import type { Id, Params, RpcNotification } from "../jsonrpc.ts";
import type { ListKind } from "../protocol.ts";
import type { Role } from "./roles.ts";
import { byName, type RoleSource, type Settings } from "./settings.ts";
import type { Subscriber } from "./subscriptions.ts";

export interface ListenFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

const FLAG: Record<ListKind, keyof ListenFilter> = {
  tools: "toolsListChanged",
  prompts: "promptsListChanged",
  resources: "resourcesListChanged",
  resourceTemplates: "resourcesListChanged",
};

/** The filter a client asked for, read leniently: unknown fields and wrong types are left out. */
export function readFilter(value: unknown): ListenFilter {
  const f = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  const out: ListenFilter = {};
  for (const k of ["toolsListChanged", "promptsListChanged", "resourcesListChanged"] as const)
    if (f[k] === true) out[k] = true;
  if (Array.isArray(f.resourceSubscriptions))
    out.resourceSubscriptions = f.resourceSubscriptions.filter(
      (u): u is string => typeof u === "string",
    );
  return out;
}

export class Listener implements Subscriber {
  /** Whose processes of per_session servers its resource subscriptions watch (its principal's). */
  owner?: Owner;

  constructor(
    readonly id: Id,
    private current: Role,
    readonly filter: ListenFilter,
    private readonly send: (m: RpcNotification) => void,
    private readonly roleIn: RoleSource = byName(current),
    /** Ends the stream from the gateway's side (its token was removed by a reload). */
    readonly end: () => void = () => {},
  ) {}

  get role(): Role {
    return this.current;
  }

  /** A reload: the stream's role under `settings`; false when it must end. */
  rebind(settings: Settings): boolean {
    const role = this.roleIn(settings);
    if (!role) return false;
    this.current = role;
    return true;
  }

  /** The first message of the stream: what the gateway agreed to send. */
  acknowledge(): void {
    this.notify("notifications/subscriptions/acknowledged", { notifications: { ...this.filter } });
  }

  wants(kind: ListKind): boolean {
    return this.filter[FLAG[kind]] === true;
  }

  notify(method: string, params: Params): void {
    const meta = { ...(params._meta ?? {}), [SUBSCRIPTION_ID_META_KEY]: this.id };
    this.send({ jsonrpc: "2.0", method, params: { ...params, _meta: meta } });
  }
}
