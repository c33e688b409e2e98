import { timingSafeEqual } from "node:crypto";
import type { GatewayConfig } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import { ErrorCode } from "../jsonrpc.ts";
import type { Role } from "../router/roles.ts";
import { type Settings, tokenDigest } from "../router/settings.ts";

/** A JSON-RPC error as a whole HTTP response (id null: it answers the HTTP request, not a message). */
export function rpcErrorResponse(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return Response.json(
    { jsonrpc: "2.0", id: null, error: { code, message } },
    { status, headers: { ...headers, "Cache-Control": "no-store" } },
  );
}

/** 127.0.0.0/8, ::1 and localhost: what a DNS-rebinding page cannot pretend to be. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

const WILDCARD = new Set(["0.0.0.0", "::", "[::]", ""]);

/** Host names (without port) from a Host header value: "example.com:80" → "example.com". */
function hostnameOf(host: string): string {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.indexOf(":");
  return colon < 0 ? host : host.slice(0, colon);
}

/**
 * DNS-rebinding protection: the Host header must name loopback, the bound address or an
 * allowed host, and a browser's Origin (when sent) must be loopback or allowed. "*" in a
 * list allows anything.
 */
export class HostPolicy {
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;

  constructor(config: GatewayConfig, bindHost: string) {
    this.hosts = new Set(config.http.allowed_hosts.map((h) => h.toLowerCase()));
    if (!WILDCARD.has(bindHost)) this.hosts.add(bindHost.toLowerCase());
    this.origins = new Set(config.http.allowed_origins.map((o) => o.toLowerCase()));
  }

  /** A 403 response when the request may come from a rebinding page; undefined when fine. */
  check(req: Request): Response | undefined {
    // Requests built in-process carry no Host header; their URL says where they go.
    const host = (req.headers.get("host") ?? new URL(req.url).host).toLowerCase();
    if (!this.hostAllowed(host))
      return rpcErrorResponse(
        403,
        -32000,
        `Forbidden: Host "${host}" is not allowed (loopback only; see http.allowed_hosts)`,
      );
    const origin = req.headers.get("origin");
    if (origin !== null && !this.originAllowed(origin.toLowerCase()))
      return rpcErrorResponse(
        403,
        -32000,
        `Forbidden: Origin "${origin}" is not allowed (loopback only; see http.allowed_origins)`,
      );
    return undefined;
  }

  private hostAllowed(host: string): boolean {
    const name = hostnameOf(host);
    return isLoopback(name) || this.hosts.has("*") || this.hosts.has(host) || this.hosts.has(name);
  }

  private originAllowed(origin: string): boolean {
    if (this.origins.has("*") || this.origins.has(origin)) return true;
    try {
      const url = new URL(origin);
      return (url.protocol === "http:" || url.protocol === "https:") && isLoopback(url.hostname);
    } catch {
      return false;
    }
  }
}

/** Who a request is: the role it gets, and which token it presented. */
export interface Principal {
  role: Role;
  /** "" without auth.tokens; else the token's label (principalLabel), never the token itself. */
  id: string;
}

const REALM = 'Bearer realm="mcp-gateway"';

const gone = () =>
  rpcErrorResponse(401, -32000, "Unauthorized: the bearer token is no longer valid", {
    "WWW-Authenticate": `${REALM}, error="invalid_token"`,
  });

/**
 * Bearer tokens from auth.tokens, each mapped to its role, as the settings in force say (a
 * reload swaps them). Without tokens everyone gets the start role.
 */
export class TokenAuth {
  constructor(private readonly settings: () => Settings) {}

  get enabled(): boolean {
    return this.settings().tokens.length > 0;
  }

  /** The request's principal, or the 401 to answer with. */
  authenticate(req: Request): Principal | Response {
    const settings = this.settings();
    if (settings.tokens.length === 0) return { role: settings.startRole, id: "" };
    const header = req.headers.get("authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1])
      return rpcErrorResponse(401, -32000, "Unauthorized: a bearer token is required", {
        "WWW-Authenticate": REALM,
      });
    // Equal-length digests compared in constant time, every entry, so timing says nothing.
    const given = tokenDigest(match[1]);
    let found: Principal | undefined;
    for (const e of settings.tokens)
      if (timingSafeEqual(e.digest, given)) found ??= { role: e.role, id: e.id };
    return (
      found ??
      rpcErrorResponse(401, -32000, "Unauthorized: the bearer token is not valid", {
        "WWW-Authenticate": `${REALM}, error="invalid_token"`,
      })
    );
  }
}

/**
 * `p` under the settings in force now: a reload may have come while its request body was read,
 * and a request must not be served with a role the config no longer gives (nor a removed token).
 */
export function currentPrincipal(settings: Settings, p: Principal): Principal | Response {
  const role = settings.httpRole(p.id);
  return role ? { role, id: p.id } : gone();
}

/** Refuse to expose the gateway beyond this machine without tokens, unless told to. */
export function assertSafeBind(host: string, auth: TokenAuth, insecure: boolean): void {
  if (isLoopback(host) || auth.enabled || insecure) return;
  throw new GatewayError(
    "USAGE",
    `refusing to serve on ${host} (not loopback) without auth.tokens in the config; add tokens or pass --insecure`,
  );
}

/**
 * The request body as text, at most `limit` bytes (declared or streamed), or a 413 response
 * with a JSON-RPC error saying the limit.
 */
export async function readBody(req: Request, limit: number): Promise<string | Response> {
  const tooLarge = () =>
    rpcErrorResponse(
      413,
      ErrorCode.InvalidRequest,
      `Payload Too Large: the request body is over the ${limit}-byte limit (http.max_body_bytes)`,
    );
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) return tooLarge();
  // A declared length bounds the read (HTTP framing): one read, no chunk loop.
  if (Number.isInteger(declared) && declared >= 0) return req.text();
  if (!req.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    size += chunk.byteLength;
    if (size > limit) return tooLarge();
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** Parse a JSON body, or the 400 to answer with (JSON-RPC parse error). */
export function parseJson(text: string): { value: unknown } | Response {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return rpcErrorResponse(400, ErrorCode.ParseError, "Parse error: the body is not valid JSON");
  }
}
