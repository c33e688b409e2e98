/** OTEL_* settings the trace SDK does not read itself: protocol, propagators, sampler, batching. */
import { DiagLogLevel, diag, type TextMapPropagator } from "@opentelemetry/api";
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { OTLPExporterBase } from "@opentelemetry/otlp-exporter-base";
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from "@opentelemetry/otlp-exporter-base/node-http";
import { JsonTraceSerializer, TraceExporterMetricsHelper } from "@opentelemetry/otlp-transformer";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace";
import { log } from "../log.ts";

type Env = Record<string, string | undefined>;

function ratio(env: Env): number {
  const raw = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const n = raw ? Number(raw) : 1;
  if (Number.isFinite(n) && n >= 0 && n <= 1) return n;
  log.warn(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got "${raw}"; using 1`);
  return 1;
}

/** OTEL_TRACES_SAMPLER (default parentbased_always_on) and OTEL_TRACES_SAMPLER_ARG. */
export function samplerFromEnv(env: Env): Sampler {
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || "parentbased_always_on";
  switch (name) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(ratio(env));
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio(env)) });
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    default:
      log.warn(`OTEL_TRACES_SAMPLER "${name}" is not supported; using parentbased_always_on`);
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

const positive = (env: Env, key: string): number | undefined => {
  const raw = env[key]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (Number.isInteger(n) && n > 0) return n;
  log.warn(`${key} must be a positive integer, got "${raw}"; ignored`);
  return undefined;
};

/** OTEL_BSP_*: the batch span processor's delay, timeout and sizes (unset: the SDK's defaults). */
export function batchOptions(env: Env): {
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
  maxQueueSize?: number;
  maxExportBatchSize?: number;
} {
  const out: ReturnType<typeof batchOptions> = {};
  const delay = positive(env, "OTEL_BSP_SCHEDULE_DELAY");
  const timeout = positive(env, "OTEL_BSP_EXPORT_TIMEOUT");
  const queue = positive(env, "OTEL_BSP_MAX_QUEUE_SIZE");
  const batch = positive(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE");
  if (delay) out.scheduledDelayMillis = delay;
  if (timeout) out.exportTimeoutMillis = timeout;
  if (queue) out.maxQueueSize = queue;
  if (batch) out.maxExportBatchSize = queue ? Math.min(batch, queue) : batch;
  return out;
}

export function exporterFor(env: Env): SpanExporter | undefined {
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ??
    env.OTEL_EXPORTER_OTLP_PROTOCOL ??
    "http/protobuf"
  ).trim();
  if (protocol === "http/protobuf") return new OTLPTraceExporter();
  // The official http/json exporter, built from the same parts as @opentelemetry/exporter-trace-otlp-http.
  if (protocol === "http/json")
    return new OTLPExporterBase(
      createOtlpHttpExportDelegate(
        convertLegacyHttpOptions({}, "TRACES", "v1/traces", { "Content-Type": "application/json" }),
        JsonTraceSerializer,
        "otlp_http_json_span_exporter",
        TraceExporterMetricsHelper,
        undefined,
      ),
    );
  log.warn(
    `traces are off: OTLP protocol "${protocol}" is not supported (http/protobuf or http/json)`,
  );
  return undefined;
}

export function propagatorFor(env: Env): TextMapPropagator {
  const names = (env.OTEL_PROPAGATORS ?? "tracecontext,baggage").split(",").map((s) => s.trim());
  const list: TextMapPropagator[] = [];
  for (const name of names) {
    if (name === "tracecontext") list.push(new W3CTraceContextPropagator());
    else if (name === "baggage") list.push(new W3CBaggagePropagator());
    else if (name && name !== "none")
      log.warn(`OTEL_PROPAGATORS: "${name}" is not supported (tracecontext, baggage); ignored`);
  }
  return new CompositePropagator({ propagators: list });
}

/** Export failures reach the log: the first as a warning (a wrong endpoint shows), then at debug. */
export function routeDiagnostics(): void {
  let warned = false;
  const report = (message: string, ...args: unknown[]) => {
    const parts = [message, ...args.map((a) => (a instanceof Error ? a.message : String(a)))];
    const text = `traces: ${parts.join(" ").slice(0, 500)}`;
    if (warned) log.debug(text);
    else {
      warned = true;
      log.warn(`${text} (further trace export problems are logged at debug level)`);
    }
  };
  const quiet = () => {};
  diag.setLogger(
    { error: report, warn: report, info: quiet, debug: quiet, verbose: quiet },
    DiagLogLevel.WARN,
  );
}
