import type { Def, ListKind, Lists, ServerInfo } from "../protocol.ts";
import type { Connection } from "./connection.ts";

const METHOD: Record<ListKind, string> = {
  tools: "tools/list",
  prompts: "prompts/list",
  resources: "resources/list",
  resourceTemplates: "resources/templates/list",
};
const CAPABILITY: Record<ListKind, string> = {
  tools: "tools",
  prompts: "prompts",
  resources: "resources",
  resourceTemplates: "resources",
};
/** A backend that pages forever must not hang discovery. */
const MAX_PAGES = 1000;

/** Whether the backend's capabilities say it has this kind of list. */
export const supports = (info: ServerInfo, kind: ListKind): boolean =>
  info.capabilities[CAPABILITY[kind]] !== undefined;

/** Fetch one whole list, following nextCursor. */
export async function fetchList(
  conn: Connection,
  kind: ListKind,
  timeoutMs: number,
): Promise<Def[]> {
  const items: Def[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await conn.request(METHOD[kind], cursor ? { cursor } : undefined, timeoutMs);
    const got = result[kind];
    if (Array.isArray(got)) items.push(...(got as Def[]));
    cursor =
      typeof result.nextCursor === "string" && result.nextCursor ? result.nextCursor : undefined;
    if (!cursor) break;
  }
  return items;
}

/** Fetch the given kinds (those the backend supports; others are empty). */
export async function fetchLists(
  conn: Connection,
  info: ServerInfo,
  kinds: readonly ListKind[],
  timeoutMs: number,
): Promise<Partial<Lists>> {
  const out: Partial<Lists> = {};
  await Promise.all(
    kinds.map(async (k) => {
      // Each kind has its own element type; the wire gives plain objects either way.
      (out as Record<ListKind, Def[]>)[k] = supports(info, k)
        ? await fetchList(conn, k, timeoutMs)
        : [];
    }),
  );
  return out;
}
