import type { Router } from "../router/router.ts";
import { looksModern, ModernHttp } from "./modern-http.ts";
import {
  currentPrincipal,
  type Principal,
  parseJson,
  readBody,
  rpcErrorResponse,
} from "./security.ts";
import { SessionTable } from "./sessions.ts";
import { StreamableSession } from "./streamable-session.ts";

const isInitialize = (body: unknown): boolean =>
  typeof body === "object" &&
  body !== null &&
  (body as { method?: unknown }).method === "initialize";

/**
 * Streamable HTTP at /mcp: an initialize POST without a session id opens a session; every
 * other request names its session in Mcp-Session-Id and must come from the same token.
 */
export class StreamableFront {
  readonly sessions: SessionTable<StreamableSession>;
  /** Modern-era requests on the same endpoint: stateless, no session. */
  readonly modern: ModernHttp;

  constructor(
    private readonly router: Router,
    private readonly maxBody: number,
    idleSeconds: number,
  ) {
    this.sessions = new SessionTable(idleSeconds * 1000);
    this.modern = new ModernHttp(router);
  }

  async handle(req: Request, authenticated: Principal): Promise<Response> {
    if (!["GET", "POST", "DELETE"].includes(req.method))
      return rpcErrorResponse(405, -32000, "Method not allowed", { Allow: "GET, POST, DELETE" });
    let body: unknown;
    let principal = authenticated;
    if (req.method === "POST") {
      const text = await readBody(req, this.maxBody);
      if (text instanceof Response) return text;
      const parsed = parseJson(text);
      if (parsed instanceof Response) return parsed;
      body = parsed.value;
      // From here on nothing waits until dispatch: the role is read from the settings now in force.
      const now = currentPrincipal(this.router.settings, authenticated);
      if (now instanceof Response) return now;
      principal = now;
      if (looksModern(req, body)) return this.modern.handle(req, principal, body);
    }
    const sid = req.headers.get("mcp-session-id");
    if (sid === null) {
      if (req.method === "POST" && isInitialize(body)) return this.open(req, principal, body);
      return rpcErrorResponse(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    }
    const session = this.sessions.get(sid);
    if (!session) return rpcErrorResponse(404, -32001, "Session not found");
    if (session.principal.id !== principal.id) {
      this.router.observe.refused("auth");
      return rpcErrorResponse(403, -32000, "Forbidden: the session belongs to another token");
    }
    return session.handle(req, body);
  }

  private async open(req: Request, principal: Principal, body: unknown): Promise<Response> {
    const session = new StreamableSession(this.router, principal, {
      opened: (id, s) => this.sessions.add(id, s),
      closed: (id) => this.sessions.delete(id),
    });
    const res = await session.handle(req, body);
    // Refused before it began (Accept, Content-Type, version): nothing to keep.
    if (session.id === undefined) session.close("initialize refused");
    return res;
  }

  /** Requests in flight over all sessions. */
  get inFlight(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.tracker.size;
    return n + this.modern.inFlight;
  }

  closeAll(reason: string): void {
    this.modern.closeAll();
    for (const s of this.sessions.values()) s.close(reason);
  }
}
