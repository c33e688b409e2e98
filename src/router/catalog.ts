import type { ServerHandle } from "../backend/server.ts";
import type { Target } from "../backend/types.ts";
import { log } from "../log.ts";
import { exposedName, placeholderName } from "../names.ts";
import { BUILT_IN_SERVER, PLUGINS_SERVER } from "../observe/types.ts";
import type { Def } from "../protocol.ts";
import { ResourceTable } from "./resource-table.ts";

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

/** The server label of a route (metrics, audit): its server, or the plugins, or the gateway's own tools. */
export const serverOf = (r: Route): string =>
  r.server?.name ?? (r.target.name === "plugins" ? PLUGINS_SERVER : BUILT_IN_SERVER);

export type { ResourceRoute, TemplateRoute } from "./resource-table.ts";
export { NEEDS_MATCHER } from "./resource-table.ts";

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
  /** Resources and templates under the URIs clients see (a URI two servers list: resource-table.ts). */
  readonly uris = new ResourceTable();
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
    this.namesOf.clear();
    this.placeholders.clear();
    this.uris.rebuild(
      servers.flatMap((s) => (s.handle.lists ? [{ ...s, lists: s.handle.lists }] : [])),
    );
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
        const def = this.uris.pointUi({ ...t, name: exposedName(prefix, t.name) }, handle.name);
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
    }
    this.version++;
  }
}
