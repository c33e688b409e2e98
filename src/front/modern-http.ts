/**
 * The modern era on Streamable HTTP at /mcp: each POST classified by the SDK's inbound ladder;
 * modern requests checked against their standard headers (Mcp-Method, Mcp-Name) and answered
 * statelessly, as JSON or, once a related message comes first, as an SSE stream. Closing the
 * stream cancels the request.
 */
import { classifyInboundRequest } from "@modelcontextprotocol/server";
import { claimsModern } from "../era/envelope.ts";
import { httpStatusOf, ModernError } from "../era/errors.ts";
import { checkParams, decodeHeader } from "../era/headers.ts";
import { isModernVersion } from "../era/versions.ts";
import { errorResponse, type Id, type RpcMessage, type RpcRequest } from "../jsonrpc.ts";
import type { Router } from "../router/router.ts";
import { Exchange } from "./exchange.ts";
import { serveModern } from "./modern.ts";
import { type Principal, rpcErrorResponse } from "./security.ts";
import { KEEPALIVE_MS } from "./sse-format.ts";

/** Methods whose Mcp-Name header mirrors a body field (the tasks extension's: the task id). */
const NAMED: Record<string, "name" | "uri" | "taskId"> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
  "tasks/get": "taskId",
  "tasks/update": "taskId",
  "tasks/cancel": "taskId",
};

/** Whether a request claims the modern era at all: by header or by its body's envelope. */
export function looksModern(req: Request, body: unknown): boolean {
  if (isModernVersion(req.headers.get("mcp-protocol-version"))) return true;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  return claimsModern((body as { params?: unknown }).params);
}

const mismatch = (id: Id, message: string): Response =>
  Response.json(errorResponse(id, { code: ModernError.HeaderMismatch, message }), { status: 400 });

/** The standard headers of a modern request must say what its body says. */
function checkHeaders(
  req: Request,
  m: RpcRequest,
  schemaOf: (tool: string) => unknown,
): Response | undefined {
  if (!req.headers.get("mcp-protocol-version")?.trim())
    return mismatch(m.id, "Header mismatch: the MCP-Protocol-Version header is required");
  const method = req.headers.get("mcp-method")?.trim() ?? null;
  if (method === null) return mismatch(m.id, "Header mismatch: the Mcp-Method header is required");
  if (method !== m.method)
    return mismatch(
      m.id,
      `Header mismatch: Mcp-Method header value '${method}' does not match body value '${m.method}'`,
    );
  const field = Object.hasOwn(NAMED, m.method) ? NAMED[m.method] : undefined;
  if (!field) return undefined;
  const body = m.params?.[field];
  const raw = req.headers.get("mcp-name");
  if (raw === null)
    return typeof body === "string"
      ? mismatch(m.id, "Header mismatch: the Mcp-Name header is required")
      : undefined;
  const name = decodeHeader(raw);
  if (name === undefined)
    return mismatch(m.id, `Header mismatch: Mcp-Name header value '${raw}' is not valid base64`);
  if (name !== body)
    return mismatch(
      m.id,
      `Header mismatch: Mcp-Name header value '${raw}' does not match body value '${String(body)}'`,
    );
  if (m.method !== "tools/call" || typeof body !== "string") return undefined;
  const args = m.params?.arguments;
  const why = checkParams(
    req.headers,
    schemaOf(body),
    typeof args === "object" && args !== null ? (args as Record<string, unknown>) : undefined,
  );
  return why ? mismatch(m.id, `Header mismatch: ${why}`) : undefined;
}

export class ModernHttp {
  private readonly open = new Set<() => void>();

  constructor(private readonly router: Router) {}

  /** One POST that looks modern (see looksModern); `body` is its parsed JSON. */
  handle(req: Request, principal: Principal, body: unknown): Response | Promise<Response> {
    const outcome = classifyInboundRequest({
      httpMethod: req.method,
      protocolVersionHeader: req.headers.get("mcp-protocol-version") ?? undefined,
      mcpMethodHeader: req.headers.get("mcp-method") ?? undefined,
      mcpNameHeader: req.headers.get("mcp-name") ?? undefined,
      body,
    });
    if (outcome.kind === "reject") {
      const id = (body as { id?: Id } | null)?.id ?? null;
      return Response.json(
        errorResponse(id, { code: outcome.code, message: outcome.message, data: outcome.data }),
        { status: outcome.httpStatus },
      );
    }
    if (outcome.kind === "legacy")
      return rpcErrorResponse(
        400,
        -32600,
        "Bad Request: not a request of a modern protocol version",
      );
    // This revision defines no client notifications over HTTP (closing a stream cancels).
    if (outcome.messageKind === "notification") return new Response(null, { status: 202 });
    const m = outcome.message as RpcRequest;
    // A tool the caller's role hides has no schema here: it answers as unknown, later.
    const bad = checkHeaders(req, m, (tool) =>
      this.router.view(principal.role).toolNames.has(tool)
        ? this.router.catalog.tools.get(tool)?.def.inputSchema
        : undefined,
    );
    if (bad) return bad;
    return this.serve(req, principal, m);
  }

  private serve(req: Request, principal: Principal, m: RpcRequest): Promise<Response> {
    let stop = () => {};
    const exchange = new Exchange(m.id, {
      keepAliveMs: KEEPALIVE_MS,
      status: (answer: RpcMessage) =>
        "error" in answer && answer.error ? httpStatusOf(answer.error.code) : 200,
      ended: () => this.open.delete(stop),
      dropped: () => stop(),
    });
    const abort = serveModern(
      this.router,
      m,
      {
        role: principal.role,
        principal: principal.id,
        front: "http",
        roleIn: (settings) => settings.httpRole(principal.id),
      },
      { related: (n) => exchange.push(n), answer: (r) => exchange.push(r) },
    );
    stop = () => {
      this.open.delete(stop);
      abort();
      exchange.close();
    };
    this.open.add(stop);
    req.signal.addEventListener("abort", () => stop(), { once: true });
    return exchange.response;
  }

  /** Requests and listen streams in flight. */
  get inFlight(): number {
    return this.open.size;
  }

  /** The gateway is closing: every open request and stream ends. */
  closeAll(): void {
    for (const stop of [...this.open]) stop();
  }
}
