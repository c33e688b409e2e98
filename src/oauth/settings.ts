// Whether and how a remote server gets the OAuth flow, from its config entry.
import type { OAuthConfig, RemoteServerConfig } from "../config/schema.ts";

export interface OAuthSettings extends Omit<OAuthConfig, "scopes"> {
  /** "auto": only because the server asked (401) and no Authorization header is configured. */
  mode: "auto" | "on";
  scopes?: string;
}

/**
 * The OAuth settings of a remote server, or undefined when it never logs in: `oauth: false`, or
 * `oauth` unset with a configured `Authorization` header (a static credential is what the user
 * chose; a 401 then means that credential is wrong, not that a browser should open).
 */
export function oauthSettings(config: RemoteServerConfig): OAuthSettings | undefined {
  const o = config.oauth;
  if (o === false) return undefined;
  if (o === undefined || o === true) {
    const hasAuthHeader = Object.keys(config.headers).some(
      (k) => k.toLowerCase() === "authorization",
    );
    if (o === undefined && hasAuthHeader) return undefined;
    return { mode: o === true ? "on" : "auto", grant: "authorization_code" };
  }
  const { scopes, ...rest } = o;
  return { ...rest, mode: "on", scopes: scopes?.length ? scopes.join(" ") : undefined };
}
