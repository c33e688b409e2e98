import picomatch from "picomatch";
import type { GatewayConfig } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";

const GLOB_CHARS = /[*?[\]{}()!+@\\]/;

interface Pattern {
  match: (name: string) => boolean;
  /** The literal text before the first glob character (all of it for a literal pattern). */
  head: string;
  literal: boolean;
}

/**
 * What one role may see: picomatch globs over exposed tool and prompt names,
 * compiled once. `null` in the config means everything.
 */
export class Role {
  private readonly patterns?: Pattern[];

  constructor(
    readonly name: string | undefined,
    globs: readonly string[] | null,
  ) {
    if (globs === null) return;
    this.patterns = globs.map((g) => {
      const i = g.search(GLOB_CHARS);
      return {
        match: picomatch(g, { dot: true }),
        head: i < 0 ? g : g.slice(0, i),
        literal: i < 0,
      };
    });
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
    for (const p of this.patterns) {
      if (p.literal) {
        if (start && p.head.startsWith(start)) return true;
      } else if (!start || p.head.startsWith(start) || start.startsWith(p.head)) return true;
    }
    return false;
  }
}

export const ALL = new Role(undefined, null);

/** The role a front runs clients as; an unknown role is an error at start (SPEC 7). */
export function resolveRole(config: GatewayConfig, name: string | undefined): Role {
  if (name === undefined || name === "") return ALL;
  if (!(name in config.roles)) {
    const known = Object.keys(config.roles);
    throw new GatewayError(
      "USAGE",
      `unknown role "${name}"${known.length ? `; roles in the config: ${known.join(", ")}` : "; the config defines no roles"}`,
    );
  }
  return new Role(name, config.roles[name] ?? null);
}
