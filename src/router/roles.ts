import picomatch from "picomatch";
import type { GatewayConfig } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";

const GLOB_CHARS = /[*?[\]{}()!+@\\]/;
/** Past this many alternatives a pattern is judged as written (which only ever shows more). */
const MAX_ALTERNATIVES = 64;

/**
 * `a{b,c{d,e}}` → `ab`, `acd`, `ace`: so `{gateway_status,fs_read}` shows only the servers those
 * names can belong to. Groups without a top-level comma (`{1..3}`), escapes and unbalanced braces
 * are kept as written: still globs, judged generously.
 */
export function expandBraces(glob: string): string[] {
  if (glob.includes("\\")) return [glob];
  const open = glob.indexOf("{");
  if (open < 0) return [glob];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < glob.length; i++) {
    const c = glob[i];
    if (c === "{") depth++;
    else if (c === ",") {
      if (depth === 1) commas.push(i);
    } else if (c === "}" && --depth === 0) {
      if (commas.length === 0) return [glob];
      const head = glob.slice(0, open);
      const tails = expandBraces(glob.slice(i + 1));
      const parts = [open, ...commas].map((from, k) => glob.slice(from + 1, [...commas, i][k]));
      const out: string[] = [];
      for (const part of parts)
        for (const mid of expandBraces(part))
          for (const tail of tails) {
            out.push(head + mid + tail);
            if (out.length > MAX_ALTERNATIVES) return [glob];
          }
      return out;
    }
  }
  return [glob];
}

interface Pattern {
  match: (name: string) => boolean;
  /** Per brace alternative: the literal text before the first glob character, and whether it is all literal. */
  heads: { head: string; literal: boolean }[];
}

/**
 * What one role may see: picomatch globs over exposed tool and prompt names,
 * compiled once. `null` in the config means everything.
 */
export class Role {
  private readonly patterns?: Pattern[];

  constructor(
    readonly name: string | undefined,
    private readonly globs: readonly string[] | null,
  ) {
    if (globs === null) return;
    this.patterns = globs.map((g) => ({
      match: picomatch(g, { dot: true }),
      heads: (g.startsWith("!") ? [g] : expandBraces(g)).map((alt) => {
        const i = alt.search(GLOB_CHARS);
        return { head: i < 0 ? alt : alt.slice(0, i), literal: i < 0 };
      }),
    }));
  }

  /** The same patterns as `globs`: a reload keeps this role's object (and its cached views). */
  sameAs(globs: readonly string[] | null): boolean {
    return JSON.stringify(this.globs) === JSON.stringify(globs);
  }

  get all(): boolean {
    return this.patterns === undefined;
  }

  allows(name: string): boolean {
    if (!this.patterns) return true;
    for (const p of this.patterns) if (p.match(name)) return true;
    return false;
  }

  /**
   * A server is visible when some pattern could match a name that begins with
   * `<prefix>_`, or matches one of its known names. For prefix "" (names as the
   * backend gives them) only known names or a non-literal pattern can tell.
   */
  seesServer(prefix: string, knownNames: readonly string[]): boolean {
    if (!this.patterns) return true;
    if (knownNames.some((n) => this.allows(n))) return true;
    const start = prefix ? `${prefix}_` : "";
    for (const p of this.patterns)
      for (const { head, literal } of p.heads) {
        if (literal) {
          if (start && head.startsWith(start)) return true;
        } else if (!start || head.startsWith(start) || start.startsWith(head)) return true;
      }
    return false;
  }
}

export const ALL = new Role(undefined, null);

/** The role a front runs clients as; an unknown role is an error at start (SPEC 7). */
export function resolveRole(config: GatewayConfig, name: string | undefined): Role {
  if (name === undefined || name === "") return ALL;
  if (!Object.hasOwn(config.roles, name)) {
    const known = Object.keys(config.roles);
    throw new GatewayError(
      "USAGE",
      `unknown role "${name}"${known.length ? `; roles in the config: ${known.join(", ")}` : "; the config defines no roles"}`,
    );
  }
  return new Role(name, config.roles[name] ?? null);
}
