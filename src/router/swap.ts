/** What a reload compares per client, to tell each client which of its lists changed. */
import type { Def, ListKind } from "../protocol.ts";
import { LIST_CHANGED } from "../protocol.ts";
import type { Listener } from "./listen.ts";
import type { Role } from "./roles.ts";
import type { Session } from "./session.ts";
import type { View } from "./views.ts";

/** A client's four lists as text: equal text, nothing for the client to hear. */
type ListSignature = Record<ListKind, string>;

type Client = Session | Listener;

/**
 * Each client's lists as it would be served them now: its tools as tools/list gives them (tool
 * search may list fewer, or add what a session found), the rest from its role's view. Texts are
 * made once per list object, so clients sharing a role (and a list) share the work.
 */
export function signatures(
  clients: Iterable<Client>,
  view: (role: Role) => View,
  tools: (client: Client) => Def[],
): (client: Client) => ListSignature | undefined {
  const texts = new Map<Def[], string>();
  const text = (defs: Def[]): string => {
    let t = texts.get(defs);
    if (t === undefined) {
      t = JSON.stringify(defs);
      texts.set(defs, t);
    }
    return t;
  };
  const by = new Map<Client, ListSignature>();
  for (const c of clients) {
    const v = view(c.role);
    by.set(c, {
      tools: text(tools(c)),
      prompts: text(v.prompts),
      resources: text(v.resources),
      resourceTemplates: text(v.templates),
    });
  }
  return (c) => by.get(c);
}

/** list_changed to each client for the lists that changed for it (a listener: if it asked). */
export function announce(
  before: (client: Client) => ListSignature | undefined,
  after: (client: Client) => ListSignature | undefined,
  sessions: Iterable<Session>,
  listeners: Iterable<Listener>,
): void {
  const changed = (c: Client): ListKind[] => {
    const was = before(c);
    const now = after(c);
    if (!was || !now) return [];
    return (Object.keys(was) as ListKind[]).filter((k) => was[k] !== now[k]);
  };
  const methods = (kinds: ListKind[]) => new Set(kinds.map((k) => LIST_CHANGED[k]));
  for (const s of sessions) if (s.initialized) for (const m of methods(changed(s))) s.notify(m, {});
  for (const l of listeners)
    for (const m of methods(changed(l).filter((k) => l.wants(k)))) l.notify(m, {});
}
