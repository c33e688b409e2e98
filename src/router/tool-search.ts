// Tool search mode: what a caller's tools/list holds, the tools each session has found, the index
// per role, and the figures gateway_status shows. The two built-in tools are in search-tools.ts.
import picomatch from "picomatch";
import type { ServerHandle } from "../backend/server.ts";
import type { Caller } from "../backend/types.ts";
import type { ToolSearchConfig } from "../config/schema.ts";
import { errorMessage } from "../errors.ts";
import { log } from "../log.ts";
import type { Observer } from "../observe/types.ts";
import type { Def } from "../protocol.ts";
import type { ToolEntry } from "../search/doc.ts";
import { tokenWeight, weighsMore } from "../search/tokens.ts";
import type { Hit, ToolIndex } from "../search/tool-index.ts";
import type { Catalog } from "./catalog.ts";
import { type Client, isClient } from "./client.ts";
import { ALL, type Role } from "./roles.ts";
import { SemanticSearch } from "./search-semantic.ts";
import { Session } from "./session.ts";
import type { View } from "./views.ts";

export const SEARCH_TOOL = "gateway_search_tools";
export const CALL_TOOL = "gateway_call_tool";
export const STATUS_TOOL = "gateway_status";
const BUILT_IN = new Set([SEARCH_TOOL, CALL_TOOL]);

/** What tool search needs of the router (which satisfies it; no import, no cycle). */
export interface SearchHost {
  readonly catalog: Catalog;
  view(role: Role): View;
  readonly serverHandles: ServerHandle[];
  /** The schema cache's folder: tool embeddings are cached there too. */
  readonly cacheDir?: string;
  /** Where searches are counted (metrics). */
  readonly observe: Pick<Observer, "searched">;
}

/** Per role and catalog version: computed on the first list or search after a change. */
interface RoleState {
  version: number;
  search: boolean;
  /** tools/list for this role: the head in search mode, everything else otherwise. */
  listed: Def[];
  listedNames: Set<string>;
  /** Every visible tool but the two search tools: what search mode saves a caller from. */
  full: Def[];
  index?: ToolIndex;
  searches: number;
  /** JSON bytes of `full` and of `listed`, measured when metrics first ask. */
  fullBytes?: number;
  listedBytes?: number;
}

/** Per session: the tools it has found, least recently found first, and its search count. */
interface SessionState {
  active: Map<string, true>;
  searches: number;
}

/**
 * The caller's role: a Client's (a legacy session or one modern request); anything else is an
 * in-process caller, which sees everything (as gateway_status treats it).
 */
export const roleOf = (caller: Caller): Role => (isClient(caller) ? caller.role : ALL);

/**
 * Per-session state is keyed by the Session object and dies with it (WeakMap). A caller that is
 * not a Session (a modern-era request) has no state: it gets the stateless behaviour (found tools
 * join no list; it calls them through gateway_call_tool).
 */
const sessionKey = (caller: Caller): Session | undefined =>
  caller instanceof Session ? caller : undefined;

/** The index code and WordNet, imported on the first search (kept: later searches await it). */
let searchCode:
  | Promise<[typeof import("../search/tool-index.ts"), typeof import("../search/wordnet.ts")]>
  | undefined;

/** Bytes of the `tools` array as tools/list sends it. */
const byteWeight = (defs: readonly Def[]): number => Buffer.byteLength(JSON.stringify(defs));

export class ToolSearch {
  private readonly roles = new Map<Role, RoleState>();
  private readonly sessions: WeakMap<Session, SessionState>;
  private readonly always: (name: string) => boolean;
  /** tool_search.embeddings: similarities fused with the lexical ranking. */
  private readonly semantic?: SemanticSearch;

  /** `previous`: the tool search a reload replaces; each session keeps the tools it found. */
  constructor(
    readonly config: ToolSearchConfig,
    private readonly host: SearchHost,
    previous?: ToolSearch,
  ) {
    this.sessions = previous?.sessions ?? new WeakMap();
    if (config.embeddings)
      this.semantic = new SemanticSearch(config.embeddings, () => host.cacheDir);
    const globs = config.always;
    this.always = globs.length ? picomatch(globs, { dot: true }) : () => false;
  }

  private state(role: Role): RoleState {
    const { catalog } = this.host;
    const old = this.roles.get(role);
    if (old && old.version === catalog.version) return old;
    const view = this.host.view(role);
    const full = view.tools.filter((d) => !BUILT_IN.has(d.name));
    const search =
      this.config.mode === "on" ||
      (this.config.mode === "auto" && weighsMore(full, this.config.auto_tokens));
    const listed = search
      ? view.tools.filter(
          (d) => BUILT_IN.has(d.name) || d.name === STATUS_TOOL || this.always(d.name),
        )
      : full;
    const fresh: RoleState = {
      version: catalog.version,
      search,
      listed,
      listedNames: new Set(listed.map((d) => d.name)),
      full,
      searches: old?.searches ?? 0,
    };
    this.roles.set(role, fresh);
    return fresh;
  }

  /** What tools/list holds for a stateless caller of `role` (a modern listen stream's client). */
  listed(role: Role): Def[] {
    return this.state(role).listed;
  }

  /** Whether this role's callers are in search mode now. */
  active(role: Role): boolean {
    return this.state(role).search;
  }

  /**
   * What tools/list holds for a client: in search mode the search tools, the `always` tools and
   * gateway_status, plus, for a session, the tools it has found; else every tool.
   */
  list(client: Client): Def[] {
    const st = this.state(client.role);
    const session = client instanceof Session ? client : undefined;
    const found = session ? this.sessions.get(session)?.active : undefined;
    if (!st.search || !found?.size) return st.listed;
    const extra: Def[] = [];
    for (const name of found.keys()) {
      const route = this.host.catalog.tools.get(name);
      // A tool that went away, or that the role no longer sees, simply drops out of the list.
      if (route && !st.listedNames.has(name) && this.host.view(client.role).toolNames.has(name))
        extra.push(route.def);
    }
    return extra.length ? [...st.listed, ...extra] : st.listed;
  }

  /**
   * JSON bytes of a list `list(client)` served, and of the full list it stands for (metrics).
   * Bytes, not tokens: counting tokens loads the o200k table (about 9 MB), which metrics must not
   * do; JSON definitions run 4.1-4.7 bytes a token (tokens.ts).
   */
  sizes(client: Client, served: Def[]): { served: number; full: number } {
    const st = this.state(client.role);
    st.fullBytes ??= byteWeight(st.full);
    if (served !== st.listed) return { served: byteWeight(served), full: st.fullBytes };
    st.listedBytes ??= byteWeight(st.listed);
    return { served: st.listedBytes, full: st.fullBytes };
  }

  /**
   * Start, list and cache every server this role can see whose tools are not known yet, so a
   * search never misses a tool because its server never ran; each is then left to its idle timer.
   */
  private async discover(role: Role): Promise<void> {
    const { servers } = this.host.view(role);
    const cold = this.host.serverHandles.filter((h) => !h.lists && servers.has(h.name));
    if (cold.length === 0) return;
    // Searches arriving together share each start: discover() is single-flight per server.
    await Promise.all(
      cold.map((h) =>
        h.discover().then(
          () => {},
          (e) =>
            log.warn(`tool search: server "${h.name}" could not be listed: ${errorMessage(e)}`),
        ),
      ),
    );
  }

  /**
   * The index of what `role` may see, built once per catalog version and role. The index code
   * (MiniSearch, the stemmer) and the WordNet table are loaded on the first search, so a gateway
   * that never searches never loads them.
   */
  private async index(role: Role): Promise<ToolIndex> {
    searchCode ??= Promise.all([import("../search/tool-index.ts"), import("../search/wordnet.ts")]);
    const [{ ToolIndex }, { wordnet }] = await searchCode;
    const st = this.state(role);
    st.index ??= new ToolIndex(
      st.full.map((def) => this.entry(def)),
      wordnet(),
    );
    return st.index;
  }

  /** What the index reads of a tool: its definition, its name on its server, the server. */
  private entry(def: Def): ToolEntry {
    const route = this.host.catalog.tools.get(def.name);
    return { ...def, original: route?.original, server: route?.server?.name };
  }

  /** Search for `caller`: discover cold servers, rank, remember what its session found. */
  async search(
    caller: Caller,
    query: string,
    limit: number,
  ): Promise<{ hits: (Hit & { def: Def; server: string | null })[]; total: number }> {
    const role = roleOf(caller);
    await this.discover(role);
    const index = await this.index(role);
    const semantic = await this.semantic?.scores(
      index,
      (name) => this.entry(this.host.catalog.tools.get(name)?.def ?? { name }),
      query,
    );
    const { hits, total } = index.search(query, limit, undefined, semantic);
    const out = hits.flatMap((h) => {
      const route = this.host.catalog.tools.get(h.name);
      return route ? [{ ...h, def: route.def, server: route.server?.name ?? null }] : [];
    });
    const st = this.state(role);
    st.searches++;
    this.host.observe.searched();
    const session = sessionKey(caller);
    if (session)
      this.remember(
        session,
        st,
        out.map((h) => h.def.name),
      );
    return { hits: out, total };
  }

  private remember(session: Session, st: RoleState, names: string[]): void {
    let s = this.sessions.get(session);
    if (!s) {
      s = { active: new Map(), searches: 0 };
      this.sessions.set(session, s);
    }
    s.searches++;
    const max = this.config.max_active;
    if (!st.search || max === 0) return;
    let changed = false;
    // Least recently found first: a tool found again moves to the end; the head leaves first.
    for (const name of names) {
      if (st.listedNames.has(name)) continue;
      if (!s.active.delete(name)) changed = true;
      s.active.set(name, true);
    }
    for (const name of s.active.keys()) {
      if (s.active.size <= max) break;
      s.active.delete(name);
      changed = true;
    }
    if (changed && session.initialized) session.notify("notifications/tools/list_changed", {});
  }

  /** The figures gateway_status and /status show for a caller (a session, or only a role). */
  status(role: Role, caller?: Caller) {
    const st = this.state(role);
    const session = caller ? sessionKey(caller) : undefined;
    const served = session ? this.list(session) : st.listed;
    return {
      mode: this.config.mode,
      search: st.search,
      tokens: { full: tokenWeight(st.full), served: tokenWeight(served) },
      tools: { full: st.full.length, served: served.length },
      searches: session ? (this.sessions.get(session)?.searches ?? 0) : st.searches,
    };
  }
}
