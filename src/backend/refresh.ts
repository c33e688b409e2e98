/**
 * A server's lists re-read from its running backend: compared with what was known, written to
 * the schema cache, and reported when they changed. Refreshes run one after another, so an older
 * answer is never applied last.
 */
import { errorMessage } from "../errors.ts";
import { log } from "../log.ts";
import { emptyLists, LIST_KINDS, type ListKind, type Lists, type ServerInfo } from "../protocol.ts";
import type { Connection } from "./connection.ts";
import { fetchLists } from "./lists.ts";

export interface Schemas {
  info?: ServerInfo;
  lists?: Lists;
  source?: "cache" | "live";
}

export interface RefreshTarget {
  readonly name: string;
  readonly schemas: Schemas;
  /** The running connection these lists are read from; a refresh of an older one is dropped. */
  current(): Connection | undefined;
  timeoutMs: number;
  /** The lists changed (or were read live for the first time): write the cache. */
  save(info: ServerInfo, lists: Lists): void;
  changed(kinds: ListKind[]): void;
}

export class ListRefresher {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly target: RefreshTarget) {}

  /**
   * `announced`: the backend said these kinds changed; clients hear it even when the lists read
   * back the same, as they would from the backend directly.
   */
  refresh(kinds: readonly ListKind[] = LIST_KINDS, announced = false): Promise<ListKind[]> {
    const next = this.queue.then(() => this.now(kinds, announced));
    this.queue = next.catch(() => []);
    return next;
  }

  private async now(kinds: readonly ListKind[], announced: boolean): Promise<ListKind[]> {
    const t = this.target;
    const conn = t.current();
    const info = t.schemas.info;
    if (!conn || !info) return [];
    let got: Partial<Lists>;
    try {
      got = await fetchLists(conn, info, kinds, t.timeoutMs);
    } catch (e) {
      // Cut short because the server was stopped (idle, list --refresh, exit): nothing to say.
      if (conn !== t.current()) return [];
      log.warn(`server "${t.name}": cannot list ${kinds.join(", ")}: ${errorMessage(e)}`);
      return [];
    }
    if (conn !== t.current()) return [];
    const s = t.schemas;
    const before = s.lists ?? emptyLists();
    const after: Lists = { ...before, ...got };
    const changed = kinds.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    // Leaving the placeholder changes the tool list even when the backend has no tools.
    if (s.source === undefined && !changed.includes("tools")) changed.push("tools");
    const wasLive = s.source === "live";
    s.lists = after;
    s.source = "live";
    if (changed.length > 0 || !wasLive) t.save(info, after);
    const told = announced ? [...new Set([...changed, ...kinds])] : changed;
    if (told.length > 0) t.changed(told);
    return changed;
  }
}
