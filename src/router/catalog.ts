import type { ServerHandle } from "../backend/server.ts";
import type { Target } from "../backend/types.ts";
import { log } from "../log.ts";
import { exposedName, placeholderName } from "../names.ts";
import type { Def, ResourceDef, TemplateDef } from "../protocol.ts";
import { matchesTemplate } from "./uri-templates.ts";

/** Where an exposed tool or prompt goes. Routing uses this table; names are never parsed back. */
export interface Route {
  /** The definition clients see: the backend's object, every field kept, with the exposed name. */
  def: Def;
  target: Target;
  /** The name the target knows it by. */
  original: string;
  /** The server it belongs to (undefined for plugin and built-in tools). */
  server?: ServerHandle;
  /** Set on a placeholder tool: calling it starts and discovers this server. */
  connect?: ServerHandle;
  /** A built-in tool every role sees (the tool search tools: roles limit what they reach). */
  everyRole?: boolean;
}

export interface ResourceRoute {
  def: ResourceDef;
  server: ServerHandle;
}
export interface TemplateRoute {
  def: TemplateDef;
  server: ServerHandle;
}

/** A URI that only a template could match, before the template matcher is loaded. */
export const NEEDS_MATCHER = Symbol("load the URI template matcher first");

export interface LocalTool {
  def: Def;
  target: Target;
  everyRole?: boolean;
}

export interface ServerEntry {
  handle: ServerHandle;
  prefix: string;
}

/**
 * The exposed-name table, rebuilt whenever a list changes (never per request).
 * First come keeps a name: built-in tools, then plugins, then servers in config order.
 */
export class Catalog {
  readonly tools = new Map<string, Route>();
  readonly prompts = new Map<string, Route>();
  /** The first server to list each URI. */
  readonly resources = new Map<string, ResourceRoute>();
  /** Every listed resource in config order, duplicates included: a role that cannot see the
   * first server listing a URI still gets it from the next one it can see. */
  resourceRoutes: ResourceRoute[] = [];
  templates: TemplateRoute[] = [];
  /** Exposed tool and prompt names per server, for role visibility. */
  readonly namesOf = new Map<string, string[]>();
  /**
   * Placeholder names of servers whose lists are known: not listed, but still callable,
   * so a client holding an old list (or racing another client's connect) is not refused.
   */
  readonly placeholders = new Map<string, ServerHandle>();
  version = 0;
  private readonly warned = new Set<string>();

  rebuild(local: readonly LocalTool[], servers: readonly ServerEntry[]): void {
    this.tools.clear();
    this.prompts.clear();
    this.resources.clear();
    this.namesOf.clear();
    this.placeholders.clear();
    this.templates = [];
    this.resourceRoutes = [];
    const owner = new Map<string, string>();
    const claim = (table: Map<string, Route>, kind: string, route: Route, who: string): void => {
      const name = route.def.name;
      const first = owner.get(`${kind}:${name}`);
      if (first !== undefined) {
        const key = `${kind}:${name}:${who}`;
        if (!this.warned.has(key)) {
          this.warned.add(key);
          log.warn(
            `${kind} name "${name}" of ${who} is already taken by ${first}; ${who}'s is dropped`,
          );
        }
        return;
      }
      owner.set(`${kind}:${name}`, who);
      table.set(name, route);
    };

    for (const t of local)
      claim(
        this.tools,
        "tool",
        { def: t.def, target: t.target, original: t.def.name, everyRole: t.everyRole },
        `"${t.target.name}"`,
      );

    for (const { handle, prefix } of servers) {
      const names: string[] = [];
      this.namesOf.set(handle.name, names);
      const lists = handle.lists;
      const who = (n: string) => `server "${handle.name}" (${n})`;
      if (!lists) {
        const name = placeholderName(handle.name);
        const def: Def = {
          name,
          description: `Start the "${handle.name}" MCP server and list its tools. Its tools are not known yet; after this call they appear in the tool list.`,
          inputSchema: { type: "object", properties: {} },
        };
        claim(
          this.tools,
          "tool",
          { def, target: handle, original: name, connect: handle, server: handle },
          who(name),
        );
        continue;
      }
      this.placeholders.set(placeholderName(handle.name), handle);
      for (const t of lists.tools) {
        const def = { ...t, name: exposedName(prefix, t.name) };
        names.push(def.name);
        claim(
          this.tools,
          "tool",
          { def, target: handle, original: t.name, server: handle },
          who(t.name),
        );
      }
      for (const p of lists.prompts) {
        const def = { ...p, name: exposedName(prefix, p.name) };
        names.push(def.name);
        claim(
          this.prompts,
          "prompt",
          { def, target: handle, original: p.name, server: handle },
          who(p.name),
        );
      }
      const label = (n: string) => (prefix ? `${prefix}_${n}` : n);
      for (const r of lists.resources) {
        const route = { def: { ...r, name: label(r.name) }, server: handle };
        this.resourceRoutes.push(route);
        const first = this.resources.get(r.uri);
        if (!first) this.resources.set(r.uri, route);
        else if (first.server !== handle && !this.warned.has(`uri:${r.uri}:${handle.name}`)) {
          this.warned.add(`uri:${r.uri}:${handle.name}`);
          log.warn(
            `resource "${r.uri}" of server "${handle.name}" is also listed by server "${first.server.name}"; reads go to the first server the client's role can see`,
          );
        }
      }
      for (const t of lists.resourceTemplates)
        this.templates.push({ def: { ...t, name: label(t.name) }, server: handle });
    }
    this.version++;
  }

  /**
   * The server that serves a URI: the first that lists it, else the first whose template matches.
   * Only servers `visible` accepts count, so a role reads what its own lists show.
   */
  resolveUri(
    uri: string,
    visible: (server: string) => boolean = () => true,
  ): ServerHandle | undefined | typeof NEEDS_MATCHER {
    for (const r of this.resourceRoutes)
      if (r.def.uri === uri && visible(r.server.name)) return r.server;
    for (const t of this.templates) {
      if (!visible(t.server.name)) continue;
      if (t.def.uriTemplate === uri) return t.server; // completion refers to templates by their text
      const hit = matchesTemplate(t.def.uriTemplate, uri);
      if (hit === undefined) return NEEDS_MATCHER;
      if (hit) return t.server;
    }
    return undefined;
  }
}
