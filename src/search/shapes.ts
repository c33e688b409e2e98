// What a value quoted in a request is (a path, a URL, owner/repo, a channel…), as the words
// input schemas name such parameters with.

/**
 * Each kind of value, and the parameter words that take it. Generic: these are the words any API
 * uses for such a parameter (a path goes in `path`, a URL in `url`), not any tool's names.
 */
const SHAPES: readonly { test: RegExp; words: readonly string[] }[] = [
  { test: /^(https?:\/\/|www\.)|^localhost(:\d+)?(\/|$)/i, words: ["url", "uri", "link"] },
  { test: /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i, words: ["email"] },
  { test: /^#[\w-]+$/, words: ["channel"] },
  { test: /^@[\w.-]+$/, words: ["user", "username"] },
  // A path: rooted, relative, home-based, or folders ending in a file or a slash.
  {
    test: /^(~|\.{1,2})?\/|^[\w.-]+(\/[\w.-]+)*\/$|^[\w.-]+\/[\w.-]*\.\w{1,5}$|\\/,
    words: ["path", "file", "directory"],
  },
  // owner/name (a repository, an image, a chart): two plain segments.
  { test: /^[\w-]+\/[\w.-]+$/, words: ["owner", "repo", "name"] },
  // A file name alone.
  { test: /^[\w-][\w.-]*\.[a-z][a-z0-9]{0,4}$/i, words: ["file", "path", "filename"] },
  // A latitude,longitude pair.
  { test: /^-?\d{1,3}\.\d+,-?\d{1,3}\.\d+$/, words: ["latitude", "longitude", "location"] },
];

/** The parameter words for one token of a request, or none when it is plain words. */
export function shapeWords(token: string): readonly string[] {
  for (const s of SHAPES) if (s.test.test(token)) return s.words;
  return [];
}

const PAIR = /-?\d{1,3}\.\d+\s*,\s*-?\d{1,3}\.\d+/;

/** The kinds of value a request quotes, each as the parameter words that take it; no repeats. */
export function queryShapes(query: string): (readonly string[])[] {
  const out = new Set<readonly string[]>();
  for (const token of query.split(/\s+/)) {
    const bare = token.replace(/^[("'`]+|[)"'`?!,;:]+$|\.$/g, "");
    const w = bare ? shapeWords(bare) : [];
    if (w.length) out.add(w);
  }
  const pair = PAIR.exec(query);
  if (pair) out.add(shapeWords(pair[0].replace(/\s+/g, "")));
  return [...out];
}
