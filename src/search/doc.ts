// A tool definition as the search index reads it: the text of each field it scores.

/** What the index needs of a tool: its definition as listed, and the server it comes from. */
export interface ToolEntry {
  /** The exposed name: the id of the entry. */
  name: string;
  /** The name its server gives it (the exposed name without the prefix): what the name field reads. */
  original?: string;
  title?: unknown;
  description?: unknown;
  inputSchema?: unknown;
  annotations?: unknown;
  /** The server's name; undefined for plugin and built-in tools. */
  server?: string;
}

export interface SearchDoc {
  id: string;
  name: string;
  title: string;
  /** The description's first sentence: what the tool does, before usage notes and caveats. */
  summary: string;
  description: string;
  params: string;
  server: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Deep enough for every nesting seen in real servers' schemas; bounded against odd ones. */
const MAX_DEPTH = 4;

/** Parameter names and descriptions, nested objects and arrays of objects included. */
function paramText(schema: unknown, out: string[], depth = 0): void {
  if (!isObject(schema) || depth > MAX_DEPTH) return;
  const props = schema.properties;
  if (isObject(props))
    for (const [key, value] of Object.entries(props)) {
      out.push(key);
      if (isObject(value)) {
        if (typeof value.description === "string") out.push(value.description);
        if (typeof value.title === "string") out.push(value.title);
        paramText(value, out, depth + 1);
      }
    }
  if (isObject(schema.items)) paramText(schema.items, out, depth + 1);
  for (const k of ["anyOf", "oneOf", "allOf"] as const) {
    const list = schema[k];
    if (Array.isArray(list)) for (const s of list) paramText(s, out, depth + 1);
  }
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** Up to the first full stop followed by a space or line end, or the first line. */
export function firstSentence(text: string): string {
  const m = /^[\s\S]*?(?:[.!?](?=\s|$)|\n)/.exec(text.trimStart());
  return (m ? m[0] : text).trim();
}

export function toDoc(t: ToolEntry): SearchDoc {
  const params: string[] = [];
  paramText(t.inputSchema, params);
  const annotationTitle = isObject(t.annotations) ? str(t.annotations.title) : "";
  return {
    id: t.name,
    name: t.original ?? t.name,
    title: [str(t.title), annotationTitle].filter(Boolean).join(" "),
    summary: firstSentence(str(t.description)),
    description: str(t.description),
    params: params.join(" "),
    server: t.server ?? "",
  };
}
