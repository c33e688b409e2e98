import type { Def } from "../protocol.ts";
import type { Catalog, Route } from "./catalog.ts";
import type { Role } from "./roles.ts";

/** What one role sees of the catalog, computed once per catalog version. */
export interface View {
  version: number;
  tools: Def[];
  prompts: Def[];
  resources: Def[];
  templates: Def[];
  toolNames: Set<string>;
  promptNames: Set<string>;
  servers: Set<string>;
}

const visibleRoute = (role: Role, r: Route, servers: Set<string>): boolean =>
  r.connect ? servers.has(r.connect.name) : r.everyRole === true || role.allows(r.def.name);

export function computeView(
  catalog: Catalog,
  role: Role,
  prefixOf: (server: string) => string,
): View {
  const servers = new Set<string>();
  for (const [server, names] of catalog.namesOf)
    if (role.seesServer(prefixOf(server), names)) servers.add(server);
  const tools: Def[] = [];
  const toolNames = new Set<string>();
  for (const r of catalog.tools.values())
    if (visibleRoute(role, r, servers)) {
      tools.push(r.def);
      toolNames.add(r.def.name);
    }
  const prompts: Def[] = [];
  const promptNames = new Set<string>();
  for (const r of catalog.prompts.values())
    if (visibleRoute(role, r, servers)) {
      prompts.push(r.def);
      promptNames.add(r.def.name);
    }
  // Exposed URIs are unique (a URI two servers list is aliased for the second: resource-table.ts).
  const resources: Def[] = [];
  for (const r of catalog.uris.routes) if (servers.has(r.server.name)) resources.push(r.def);
  const templates: Def[] = [];
  for (const t of catalog.uris.templates) if (servers.has(t.server.name)) templates.push(t.def);
  return {
    version: catalog.version,
    tools,
    prompts,
    resources,
    templates,
    toolNames,
    promptNames,
    servers,
  };
}

/** Caches one view per role, dropped when the catalog changes. */
export class Views {
  private readonly cache = new Map<Role, View>();
  constructor(
    private readonly catalog: Catalog,
    private readonly prefixOf: (server: string) => string,
  ) {}

  /** A reload replaced the roles: views of roles no longer in use must not pile up. */
  clear(): void {
    this.cache.clear();
  }

  of(role: Role): View {
    const v = this.cache.get(role);
    if (v && v.version === this.catalog.version) return v;
    const fresh = computeView(this.catalog, role, this.prefixOf);
    this.cache.set(role, fresh);
    return fresh;
  }
}
