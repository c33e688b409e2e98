/**
 * The modern era's mirrored headers on Streamable HTTP: values in plain form or the
 * `=?base64?…?=` sentinel, and `x-mcp-header` tool arguments mirrored as `Mcp-Param-<Name>`.
 */

const SENTINEL = /^=\?base64\?(.*)\?=$/s;
/** RFC 4648 base64, padded: anything else in a sentinel is refused, never guessed at. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** What may go into a header as is: visible ASCII and inner spaces/tabs. */
const SAFE = /^[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?$/;

/** A header value as sent: plain (surrounding whitespace dropped), or decoded from the sentinel. */
export function decodeHeader(value: string): string | undefined {
  const v = value.trim();
  const m = SENTINEL.exec(v);
  if (!m) return v;
  const b64 = m[1] ?? "";
  return BASE64.test(b64) ? Buffer.from(b64, "base64").toString("utf8") : undefined;
}

/** A value as a header carries it: itself when safe, else the base64 sentinel. */
export function encodeHeader(value: string): string {
  return SAFE.test(value) && !SENTINEL.test(value)
    ? value
    : `=?base64?${Buffer.from(value, "utf8").toString("base64")}?=`;
}

export interface ParamHeader {
  /** The header's name after `Mcp-Param-`. */
  name: string;
  /** The argument it mirrors (a top-level property of the input schema). */
  property: string;
}

const cache = new WeakMap<object, ParamHeader[]>();

/** The `x-mcp-header` declarations of a tool's input schema (top-level primitive properties). */
export function paramHeaders(inputSchema: unknown): ParamHeader[] {
  if (typeof inputSchema !== "object" || inputSchema === null) return [];
  const known = cache.get(inputSchema);
  if (known) return known;
  const out: ParamHeader[] = [];
  const props = (inputSchema as { properties?: unknown }).properties;
  if (typeof props === "object" && props !== null)
    for (const [property, schema] of Object.entries(props)) {
      const name = (schema as Record<string, unknown> | null)?.["x-mcp-header"];
      if (typeof name === "string" && /^[A-Za-z0-9-]+$/.test(name)) out.push({ name, property });
    }
  cache.set(inputSchema, out);
  return out;
}

/** An argument as its header states it (strings, numbers, booleans); undefined for anything else. */
export function paramValue(value: unknown): string | undefined {
  if (typeof value === "string") return encodeHeader(value);
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return String(value);
  return undefined;
}

/** The Mcp-Param headers a call must carry, by header name. */
export function mirrorParams(
  inputSchema: unknown,
  args: Record<string, unknown> | undefined,
): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let any = false;
  for (const h of paramHeaders(inputSchema)) {
    const v = paramValue(args?.[h.property]);
    if (v === undefined) continue;
    out[`mcp-param-${h.name.toLowerCase()}`] = v;
    any = true;
  }
  return any ? out : undefined;
}

/** Why a call's Mcp-Param headers disagree with its arguments; undefined when they agree. */
export function checkParams(
  headers: Headers,
  inputSchema: unknown,
  args: Record<string, unknown> | undefined,
): string | undefined {
  for (const h of paramHeaders(inputSchema)) {
    const body = args?.[h.property];
    const raw = headers.get(`mcp-param-${h.name}`);
    const header = `Mcp-Param-${h.name}`;
    if (body === undefined || body === null) {
      if (raw !== null) return `${header} is present but argument "${h.property}" is not`;
      continue;
    }
    if (raw === null) return `${header} is required (argument "${h.property}" is given)`;
    const value = decodeHeader(raw);
    if (value === undefined) return `${header} is not valid base64`;
    const same =
      typeof body === "number" ? value !== "" && Number(value) === body : value === String(body);
    if (!same) return `${header} value '${raw}' does not match argument "${h.property}"`;
  }
  return undefined;
}

/**
 * The Mcp-Param headers of a request to a modern remote backend: a tools/call's arguments that
 * its tool (found in `tools`, the backend's own list) marks `x-mcp-header`.
 */
export function callHeaders(
  tools: readonly { name: string; inputSchema?: unknown }[] | undefined,
  method: string,
  params: Record<string, unknown> | undefined,
): Record<string, string> | undefined {
  if (method !== "tools/call") return undefined;
  const def = tools?.find((t) => t.name === params?.name);
  const args = params?.arguments;
  return def
    ? mirrorParams(
        def.inputSchema,
        typeof args === "object" && args !== null ? (args as Record<string, unknown>) : undefined,
      )
    : undefined;
}
