/**
 * The per-server form of a resource URI that more than one server lists. The first server (in
 * config order) keeps the URI; each other one's copy is exposed with the server's name as the
 * URI's user part: `ui://widget/app.html` of server `apps2` becomes `ui://apps2@widget/app.html`.
 * The scheme stays (an MCP Apps host still sees `ui://`), the rest stays readable, and a URI
 * nobody shares never changes. Routing looks aliases up in a table; only a template's alias
 * (which stands for many URIs) is recognised by its marker.
 */

/** Where the marker goes: after `scheme://`, else after `scheme:`; -1 for a URI with no scheme. */
function markAt(uri: string): number {
  const slashes = uri.indexOf("://");
  if (slashes > 0 && !uri.slice(0, slashes).includes("/")) return slashes + 3;
  const colon = uri.indexOf(":");
  return colon > 0 && !uri.slice(0, colon).includes("/") ? colon + 1 : -1;
}

/** `uri` (or a URI template) as server `server` exposes it when another server lists it too. */
export function aliasUri(server: string, uri: string): string {
  const at = markAt(uri);
  return at < 0 ? `${server}@${uri}` : `${uri.slice(0, at)}${server}@${uri.slice(at)}`;
}

/** The URI an alias made by `aliasUri(server, …)` stands for; undefined when it is not one. */
export function unaliasUri(server: string, exposed: string): string | undefined {
  const at = markAt(exposed);
  const start = Math.max(at, 0);
  const mark = `${server}@`;
  return exposed.startsWith(mark, start)
    ? exposed.slice(0, start) + exposed.slice(start + mark.length)
    : undefined;
}
