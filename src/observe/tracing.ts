/** OpenTelemetry traces over OTLP/HTTP from the OTEL_* environment, loaded only when configured. */
import {
  context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapPropagator,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { GatewayError } from "../errors.ts";
import type { Params, RpcResponse } from "../jsonrpc.ts";
import { redact } from "../log.ts";
import { VERSION } from "../version.ts";
import {
  batchOptions,
  exporterFor,
  propagatorFor,
  routeDiagnostics,
  samplerFromEnv,
} from "./otel-env.ts";
import type { BackendSpan, CallKind, Tracing, Who } from "./types.ts";

type Env = Record<string, string | undefined>;
type Carrier = Record<string, unknown>;

const metaGetter: TextMapGetter<Carrier> = {
  get: (c, key) => {
    const v = c[key];
    return typeof v === "string" ? v : undefined;
  },
  keys: (c) => Object.keys(c),
};
const headerGetter: TextMapGetter<Headers> = {
  get: (h, key) => h.get(key) ?? undefined,
  keys: (h) => [...h.keys()],
};
const setter = {
  set: (c: Carrier, key: string, value: string) => {
    c[key] = value;
  },
};

/** The span names of the semantic conventions: `{method} {target}` for tools and prompts. */
const GENAI_NAME: Record<CallKind, string | undefined> = {
  tool: "gen_ai.tool.name",
  prompt: "gen_ai.prompt.name",
  resource: undefined,
};

/** Sets up the SDK; undefined (and a warning) when the environment asks for what we lack. */
export function startTracing(env: Env = process.env): Tracing | undefined {
  const exporter = exporterFor(env);
  if (!exporter) return undefined;
  routeDiagnostics();
  const manager = new AsyncLocalStorageContextManager().enable();
  // A host application may have its own context manager already: then that one carries ours.
  context.setGlobalContextManager(manager);
  const resource = defaultResource()
    .merge(resourceFromAttributes({ "service.name": "mcp-gateway", "service.version": VERSION }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new TracerProvider({
    resource,
    sampler: samplerFromEnv(env),
    spanProcessors: [new BatchSpanProcessor({ exporter, ...batchOptions(env) })],
  });
  return new OtelTracing(provider, propagatorFor(env));
}

class OtelTracing implements Tracing {
  private readonly tracer;

  constructor(
    private readonly provider: TracerProvider,
    private readonly propagator: TextMapPropagator,
  ) {
    this.tracer = provider.getTracer("mcp-gateway", VERSION);
  }

  request(
    who: Who,
    method: string,
    params: Params | undefined,
    done: (reply: RpcResponse) => void,
    run: (done: (reply: RpcResponse) => void) => (() => void) | undefined,
  ): (() => void) | undefined {
    const ambient = context.active();
    const meta = params?._meta;
    const fromMeta =
      meta && typeof meta.traceparent === "string"
        ? this.propagator.extract(ROOT_CONTEXT, meta, metaGetter)
        : undefined;
    // The conventions: `_meta` is the parent; the transport's context (HTTP headers) a link.
    const metaParent = fromMeta && trace.getSpanContext(fromMeta) ? fromMeta : undefined;
    const link = metaParent ? trace.getSpanContext(ambient) : undefined;
    const span = this.tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          "mcp.method.name": method,
          "mcp.protocol.version": who.protocolVersion,
          "mcp.session.id": who.sessionNo === undefined ? undefined : String(who.sessionNo),
          "network.transport": who.front === "stdio" ? "pipe" : "tcp",
          "network.protocol.name": who.front === "stdio" ? undefined : "http",
          "mcp_gateway.front": who.front,
          "mcp_gateway.role": who.roleName,
        },
        links: link ? [{ context: link }] : undefined,
      },
      metaParent ?? ambient,
    );
    let open = true;
    const finish = (reply: RpcResponse) => {
      if (open) {
        open = false;
        endWith(span, reply);
      }
      done(reply);
    };
    try {
      const cancel = context.with(
        trace.setSpan(metaParent ?? ambient, span),
        run,
        undefined,
        finish,
      );
      return cancel
        ? () => {
            if (open) {
              open = false;
              endCancelled(span);
            }
            cancel();
          }
        : undefined;
    } catch (e) {
      if (open) {
        open = false;
        span.setStatus({ code: SpanStatusCode.ERROR, message: redact(String(e)) });
        span.setAttribute("error.type", "_OTHER");
        span.end();
      }
      throw e;
    }
  }

  target(kind: CallKind, server: string, name: string): void {
    const span = trace.getSpan(context.active());
    if (!span) return;
    span.setAttribute("mcp_gateway.server", server);
    const key = GENAI_NAME[kind];
    if (key) {
      span.updateName(`${kind === "tool" ? "tools/call" : "prompts/get"} ${name}`);
      span.setAttribute(key, name);
      if (kind === "tool") span.setAttribute("gen_ai.operation.name", "execute_tool");
    } else span.setAttribute("mcp.resource.uri", redact(name));
  }

  backend(server: string, method: string, params: Params | undefined): BackendSpan {
    const parent = context.active();
    const name = typeof params?.name === "string" ? params.name : undefined;
    const target = method === "tools/call" || method === "prompts/get" ? name : undefined;
    const span = this.tracer.startSpan(
      target ? `${method} ${target}` : method,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          "mcp.method.name": method,
          "mcp_gateway.server": server,
          ...(target
            ? { [method === "tools/call" ? "gen_ai.tool.name" : "gen_ai.prompt.name"]: target }
            : {}),
          ...(method === "tools/call" ? { "gen_ai.operation.name": "execute_tool" } : {}),
          ...(method === "resources/read" && typeof params?.uri === "string"
            ? { "mcp.resource.uri": redact(params.uri) }
            : {}),
        },
      },
      parent,
    );
    const meta: Carrier = { ...params?._meta };
    this.propagator.inject(trace.setSpan(parent, span), meta, setter);
    let open = true;
    return {
      params: { ...params, _meta: meta },
      end(outcome) {
        if (!open) return;
        open = false;
        if (outcome === "cancelled") endCancelled(span);
        else if (outcome instanceof GatewayError) {
          span.setAttribute("error.type", outcome.code === "CALL_TIMEOUT" ? "timeout" : "_OTHER");
          span.setStatus({ code: SpanStatusCode.ERROR, message: redact(outcome.message) });
          span.end();
        } else endWith(span, outcome);
      },
    };
  }

  http<T>(headers: Headers, run: () => T): T {
    if (!headers.has("traceparent")) return run();
    return context.with(this.propagator.extract(ROOT_CONTEXT, headers, headerGetter), run);
  }

  headers(params: Params | undefined): Record<string, string> | undefined {
    const meta = params?._meta;
    if (typeof meta?.traceparent !== "string") return undefined;
    const out: Record<string, string> = { traceparent: meta.traceparent };
    if (typeof meta.tracestate === "string") out.tracestate = meta.tracestate;
    if (typeof meta.baggage === "string") out.baggage = meta.baggage;
    return out;
  }

  traceId(): string | undefined {
    return trace.getSpan(context.active())?.spanContext().traceId;
  }

  async flush(): Promise<void> {
    await this.provider.forceFlush().catch(() => {});
  }
}

/** Status and error attributes from a JSON-RPC reply, as the MCP conventions ask. */
function endWith(span: Span, reply: RpcResponse): void {
  if (reply.error) {
    const code = String(reply.error.code);
    span.setAttribute("error.type", code);
    span.setAttribute("rpc.response.status_code", code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: redact(reply.error.message) });
  } else if (reply.result?.isError === true) {
    span.setAttribute("error.type", "tool_error");
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

function endCancelled(span: Span): void {
  span.setAttribute("error.type", "cancelled");
  span.setStatus({ code: SpanStatusCode.ERROR, message: "cancelled" });
  span.end();
}
