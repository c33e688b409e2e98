/** What each request reads of the config (roles, tokens, tool search), swapped whole. */
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { GatewayConfig, ToolSearchConfig } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import { ALL, Role } from "./roles.ts";

/** Labels tokens for this process only: a label says nothing about its token elsewhere. */
const LABEL_KEY = randomBytes(32);

/** What a bearer token is compared by: equal-length digests, compared in constant time. */
export const tokenDigest = (token: string): Buffer => createHash("sha256").update(token).digest();

/**
 * A token's principal id: the same for the same token whatever its place in the list, across
 * reloads (sealed request state and sessions are bound to it); never the token, nor a plain
 * hash of it that could be checked against guesses.
 */
export const principalLabel = (token: string): string =>
  `token:${createHmac("sha256", LABEL_KEY).update(token).digest("base64url").slice(0, 16)}`;

/**
 * A client's role under new settings, as its front decides (a token's role, the start role…);
 * undefined: it may no longer stay, and is closed.
 */
export type RoleSource = (settings: Settings) => Role | undefined;

/** Without a source of its own, a client keeps its role by name (a removed name: as it was). */
export const byName =
  (role: Role): RoleSource =>
  (settings) =>
    settings.role(role.name) ?? role;

export interface TokenEntry {
  digest: Buffer;
  /** The principal id (principalLabel). */
  id: string;
  role: Role;
}

/**
 * One immutable object: a reload builds a new one and the router swaps it with the servers and
 * local tools in one step, so a request sees the old settings or the new ones, never a mix.
 */
export class Settings {
  /** Roles by name, compiled once per reload (an unchanged role keeps its object). */
  readonly roles: ReadonlyMap<string, Role>;
  /** The role of stdio clients, and of HTTP clients when there are no tokens. */
  readonly startRole: Role;
  /** auth.tokens in config order; the first of two equal tokens decides. */
  readonly tokens: readonly TokenEntry[];
  /** tool_search: what tools/list holds (the router keeps one ToolSearch per value of it). */
  readonly toolSearch: ToolSearchConfig;
  /**
   * How modern clients may cache the gateway's lists: "private" when what a caller sees can
   * depend on who it is (roles, tokens, or tool search's per-caller lists), else "public".
   */
  readonly listScope: "public" | "private";

  /**
   * `startRole`: the role name given at start (--role); it must exist in `config`. `previous`:
   * the settings this replaces, whose Role objects are kept where a role did not change.
   */
  constructor(config: GatewayConfig, startRole: string | undefined, previous?: Settings) {
    const roles = new Map<string, Role>();
    for (const [name, globs] of Object.entries(config.roles)) {
      const old = previous?.roles.get(name);
      roles.set(name, old?.sameAs(globs) ? old : new Role(name, globs));
    }
    this.roles = roles;
    this.startRole = startRole === undefined || startRole === "" ? ALL : this.named(startRole);
    this.toolSearch = config.tool_search;
    this.listScope =
      roles.size > 0 || (config.auth?.tokens.length ?? 0) > 0 || config.tool_search.mode !== "off"
        ? "private"
        : "public";
    this.tokens = (config.auth?.tokens ?? []).map((t) => ({
      digest: tokenDigest(t.token),
      id: principalLabel(t.token),
      role: this.named(t.role),
    }));
  }

  private named(name: string): Role {
    const role = this.roles.get(name);
    if (role) return role;
    const known = [...this.roles.keys()];
    throw new GatewayError(
      "USAGE",
      `unknown role "${name}"${known.length ? `; roles in the config: ${known.join(", ")}` : "; the config defines no roles"}`,
    );
  }

  /**
   * The role of an HTTP client that authenticated as `principal` ("" without a token);
   * undefined when that principal may no longer come in (its token was removed, or tokens
   * were added and it has none).
   */
  httpRole(principal: string): Role | undefined {
    if (this.tokens.length === 0) return principal === "" ? this.startRole : undefined;
    return this.tokens.find((t) => t.id === principal)?.role;
  }

  /** A role by name as these settings define it (no name: everything). */
  role(name: string | undefined): Role | undefined {
    return name === undefined ? ALL : this.roles.get(name);
  }
}
