/** What a reload compares per client, to tell each client which of its lists changed. */
import type { ListKind } from "../protocol.ts";
import { LIST_CHANGED } from "../protocol.ts";
import type { Listener } from "./listen.ts";
import type { Role } from "./roles.ts";
import type { Session } from "./session.ts";
import type { View } from "./views.ts";

/** A role's four lists as text: equal text, nothing for the client to hear. */
type ListSignature = Record<ListKind, string>;

const signatureOf = (view: View): ListSignature => ({
  tools: JSON.stringify(view.tools),
  prompts: JSON.stringify(view.prompts),
  resources: JSON.stringify(view.resources),
  resourceTemplates: JSON.stringify(view.templates),
});

/** Each client's lists as its role sees them now (one signature per role, not per client). */
export function signatures<C extends { readonly role: Role }>(
  clients: Iterable<C>,
  view: (role: Role) => View,
): (client: C) => ListSignature | undefined {
  const memo = new Map<Role, ListSignature>();
  const sign = (role: Role): ListSignature => {
    let known = memo.get(role);
    if (!known) {
      known = signatureOf(view(role));
      memo.set(role, known);
    }
    return known;
  };
  const by = new Map<C, ListSignature>();
  for (const c of clients) by.set(c, sign(c.role));
  return (c) => by.get(c);
}

/** list_changed to each client for the lists that changed for it (a listener: those it asked for). */
export function announce(
  before: (client: Session | Listener) => ListSignature | undefined,
  after: (client: Session | Listener) => ListSignature | undefined,
  sessions: Iterable<Session>,
  listeners: Iterable<Listener>,
): void {
  const changed = (c: Session | Listener): ListKind[] => {
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
