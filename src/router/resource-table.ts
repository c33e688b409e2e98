/**
 * The resources and resource templates of every server, under the URIs clients see. A URI (or
 * template) that one server lists is exposed as it is; when more servers list it, the first in
 * config order keeps it and each other one's copy gets its per-server alias (uri-alias.ts), so
 * every server's resource stays reachable. Rebuilt with the catalog, never per request.
 */
import type { ServerHandle } from "../backend/server.ts";
import { log } from "../log.ts";
import type { Def, Lists, ResourceDef, TemplateDef } from "../protocol.ts";
import { aliasUri, unaliasUri } from "./uri-alias.ts";
import { matchesTemplate } from "./uri-templates.ts";

export interface ResourceRoute {
  /** What clients see: the backend's definition with the exposed URI and prefixed name. */
  def: ResourceDef;
  server: ServerHandle;
  /** The URI the server knows it by. */
  uri: string;
}

export interface TemplateRoute {
  def: TemplateDef;
  server: ServerHandle;
  /** Set when the template is exposed under its alias: the server's own template text. */
  original?: string;
}

/** Where a URI goes: the server, and the URI as that server knows it. */
export interface UriTarget {
  server: ServerHandle;
  uri: string;
}

/** A URI that only a template could match, before the template matcher is loaded. */
export const NEEDS_MATCHER = Symbol("load the URI template matcher first");

interface Source {
  handle: ServerHandle;
  prefix: string;
  lists: Lists;
}

const key = (server: string, uri: string) => `${server}\u0000${uri}`;

/** MCP Apps' older, flat key for a tool's UI resource (the current one is `_meta.ui.resourceUri`). */
const FLAT_UI_KEY = "ui/resourceUri";

export class ResourceTable {
  /** Every listed resource, config order; exposed URIs are unique. */
  routes: ResourceRoute[] = [];
  templates: TemplateRoute[] = [];
  private readonly byUri = new Map<string, ResourceRoute>();
  /** (server, own URI) → exposed URI, for the URIs exposed under an alias only. */
  private readonly aliases = new Map<string, string>();
  private readonly warned = new Set<string>();

  rebuild(sources: readonly Source[]): void {
    this.routes = [];
    this.templates = [];
    this.byUri.clear();
    this.aliases.clear();
    const owner = new Map<string, string>();
    const templateOwner = new Map<string, string>();
    for (const { handle, lists } of sources) {
      for (const r of lists.resources) if (!owner.has(r.uri)) owner.set(r.uri, handle.name);
      for (const t of lists.resourceTemplates)
        if (!templateOwner.has(t.uriTemplate)) templateOwner.set(t.uriTemplate, handle.name);
    }
    for (const { handle, prefix, lists } of sources) {
      const label = (n: string) => (prefix ? `${prefix}_${n}` : n);
      for (const r of lists.resources) {
        const first = owner.get(r.uri) ?? handle.name;
        let uri = r.uri;
        if (first !== handle.name) {
          // An alias never takes a URI some server really lists.
          do uri = aliasUri(handle.name, uri);
          while (owner.has(uri) || this.byUri.has(uri));
          this.aliases.set(key(handle.name, r.uri), uri);
          this.warnOnce("resource", r.uri, handle.name, first, uri);
        }
        if (this.byUri.has(uri)) continue; // listed twice by the same server
        const route = { def: { ...r, uri, name: label(r.name) }, server: handle, uri: r.uri };
        this.byUri.set(uri, route);
        this.routes.push(route);
      }
      for (const t of lists.resourceTemplates) {
        const first = templateOwner.get(t.uriTemplate) ?? handle.name;
        const def = { ...t, name: label(t.name) };
        if (first === handle.name) {
          this.templates.push({ def, server: handle });
          continue;
        }
        const uriTemplate = aliasUri(handle.name, t.uriTemplate);
        this.warnOnce("resource template", t.uriTemplate, handle.name, first, uriTemplate);
        this.templates.push({
          def: { ...def, uriTemplate },
          server: handle,
          original: t.uriTemplate,
        });
      }
    }
  }

  /** A bounded name for `uri` read from `server` (metrics): the URI listed, or the template matched. */
  labelOf(uri: string, server: ServerHandle): string {
    if (this.byUri.get(uri)?.server === server) return uri;
    for (const t of this.templates)
      if (
        t.server === server &&
        (t.def.uriTemplate === uri || matchesTemplate(t.def.uriTemplate, uri))
      )
        return t.def.uriTemplate;
    return "";
  }

  /** The URI clients see for `server`'s own `uri` (itself unless it is exposed under an alias). */
  exposed(server: string, uri: string): string {
    return this.aliases.get(key(server, uri)) ?? uri;
  }

  /**
   * A tool whose MCP Apps UI resource is exposed under an alias points at the alias, so the host
   * reads the tool's own server's resource, not the first server's of that URI.
   */
  pointUi(def: Def, server: string): Def {
    const meta = def._meta;
    if (this.aliases.size === 0 || typeof meta !== "object" || meta === null) return def;
    const m = meta as Record<string, unknown>;
    const ui = m.ui as { resourceUri?: unknown } | undefined;
    const nested = typeof ui?.resourceUri === "string" ? ui.resourceUri : undefined;
    const flat = typeof m[FLAT_UI_KEY] === "string" ? (m[FLAT_UI_KEY] as string) : undefined;
    const a = nested === undefined ? undefined : this.exposed(server, nested);
    const b = flat === undefined ? undefined : this.exposed(server, flat);
    if (a === nested && b === flat) return def;
    const out: Record<string, unknown> = { ...m };
    if (a !== nested) out.ui = { ...ui, resourceUri: a };
    if (b !== flat) out[FLAT_UI_KEY] = b;
    return { ...def, _meta: out };
  }

  /**
   * Where `uri` goes: the resource listed under it, else the first template that matches it.
   * Only servers `visible` accepts count, so a role reads what its own lists show.
   */
  resolve(
    uri: string,
    visible: (server: string) => boolean = () => true,
  ): UriTarget | undefined | typeof NEEDS_MATCHER {
    // Listed for a server the role cannot see: a template of one it can see may still serve it.
    const listed = this.byUri.get(uri);
    if (listed && visible(listed.server.name)) return listed;
    for (const t of this.templates) {
      if (!visible(t.server.name)) continue;
      const own = t.original === undefined ? uri : unaliasUri(t.server.name, uri);
      if (own === undefined) continue;
      // Completion refers to a template by its text.
      if (t.def.uriTemplate === uri) return { server: t.server, uri: t.original ?? uri };
      const hit = matchesTemplate(t.def.uriTemplate, uri);
      if (hit === undefined) return NEEDS_MATCHER;
      if (hit) return { server: t.server, uri: own };
    }
    return undefined;
  }

  private warnOnce(kind: string, uri: string, server: string, first: string, alias: string): void {
    const k = `${uri}\u0000${server}`;
    if (this.warned.has(k)) return;
    this.warned.add(k);
    log.warn(
      `${kind} "${uri}" of server "${server}" is also listed by server "${first}"; server "${server}"'s is exposed as "${alias}"`,
    );
  }
}
