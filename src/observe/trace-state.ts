/** Whether traces are on, with no OpenTelemetry import: off, each hook site costs one check. */
import type { Tracing } from "./types.ts";

export type { BackendSpan, Tracing } from "./types.ts";

/** Set once per process, at start, when the environment configures traces. */
export let tracing: Tracing | undefined;
let starting: Promise<Tracing | undefined> | undefined;

/** Starts traces once per process when the environment configures them; the SDK loads only then. */
export function startTraces(env: Env = process.env): Promise<Tracing | undefined> {
  if (!tracesConfigured(env)) return Promise.resolve(tracing);
  starting ??= import("./tracing.ts").then((m) => {
    tracing = m.startTracing(env);
    return tracing;
  });
  return starting;
}

type Env = Record<string, string | undefined>;

/**
 * Traces are on when an OTLP endpoint or the otlp exporter is named, and neither
 * OTEL_SDK_DISABLED=true nor OTEL_TRACES_EXPORTER=none says otherwise.
 */
export function tracesConfigured(env: Env = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporter === "none") return false;
  return Boolean(
    env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() ||
      env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() ||
      exporter?.split(",").includes("otlp"),
  );
}
