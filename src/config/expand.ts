/**
 * `${VAR}` / `${VAR:-default}` expansion of config strings. Pure: it reads only
 * the env it is given and never runs anything (no `$(...)`, no backticks).
 * `$${` is a literal `${`; a `$` not followed by `{` is left alone. `${MCP_GATEWAY_SESSION}` is
 * kept as written: the gateway fills it per process (session-var.ts).
 */
import { SESSION_REF } from "./session-var.ts";

export type Env = Record<string, string | undefined>;
export type KeyPath = Array<string | number>;

export class ExpandError extends Error {
  constructor(
    message: string,
    /** Where in the data the string was (keys and list indexes). */
    readonly path: KeyPath = [],
    /** The variable that was unset, when that was the problem. */
    readonly variable?: string,
  ) {
    super(message);
  }
}

const REF = /\$\$\{|\$\{([^}]*)(\}?)/g;
const NAME_AND_DEFAULT = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/** Expand one string. Throws ExpandError (path []) on an unset or malformed reference. */
export function expandString(input: string, env: Env): string {
  if (!input.includes("${")) return input;
  return input.replace(REF, (match, body: string | undefined, close: string | undefined) => {
    if (match === "$${") return "${";
    if (match === SESSION_REF) return match;
    if (!close) throw new ExpandError(`unclosed "\${" (write "$\${" for a literal "\${")`);
    const m = NAME_AND_DEFAULT.exec(body ?? "");
    if (!m) {
      throw new ExpandError(
        `bad variable reference "\${${body}}"; expected \${NAME} or \${NAME:-default}`,
      );
    }
    const name = m[1] ?? "";
    const fallback = m[2];
    if (fallback?.includes("${")) {
      throw new ExpandError(`nested "\${" in the default of \${${name}} is not supported`);
    }
    // Own keys only: `${toString}` is an unset variable, not Object.prototype.toString.
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    // Like the shell's ":-": an empty value also takes the default.
    if (fallback !== undefined && (value === undefined || value === "")) return fallback;
    if (value === undefined) {
      throw new ExpandError(
        `environment variable ${name} is not set (write \${${name}:-default} to give a default)`,
        [],
        name,
      );
    }
    return value;
  });
}

/**
 * Expand every string value (never a key) in plain data, as `toJS()` returns it.
 * Returns new data; errors carry the key path of the string.
 */
export function expandTree(value: unknown, env: Env, path: KeyPath = []): unknown {
  if (typeof value === "string") {
    try {
      return expandString(value, env);
    } catch (e) {
      if (e instanceof ExpandError) throw new ExpandError(e.message, path, e.variable);
      throw e;
    }
  }
  if (Array.isArray(value)) return value.map((v, i) => expandTree(v, env, [...path, i]));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expandTree(v, env, [...path, k]);
    return out;
  }
  return value;
}
