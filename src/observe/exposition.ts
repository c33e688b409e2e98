/** GET /metrics: Prometheus text or OpenMetrics (by Accept), only the series the role may see. */
import { Registry } from "prom-client";
import type { Metrics } from "./metrics.ts";

/** What a caller may see: servers, and the tools and prompts of its role. */
export interface Scope {
  server(name: string): boolean;
  name(label: "tool" | "prompt", name: string): boolean;
}

interface Range {
  type: string;
  q: number;
  version?: string;
}

function ranges(accept: string): Range[] {
  return accept.split(",").map((part) => {
    const [type = "", ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    const range: Range = { type, q: 1 };
    for (const p of params) {
      const [k, v = ""] = p.split("=").map((s) => s.trim());
      if (k === "q") range.q = Number.isFinite(Number(v)) ? Number(v) : 0;
      else if (k === "version") range.version = v;
    }
    return range;
  });
}

/** OpenMetrics 1.0.0 when the Accept header rates it above the plain text format. */
export function wantsOpenMetrics(accept: string | null): boolean {
  if (!accept) return false;
  let om = 0;
  let text = 0;
  for (const r of ranges(accept)) {
    if (r.type === "application/openmetrics-text" && (!r.version || r.version === "1.0.0"))
      om = Math.max(om, r.q);
    else if (r.type === "text/plain" || r.type === "text/*" || r.type === "*/*")
      text = Math.max(text, r.q);
  }
  return om > 0 && om > text;
}

const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** Keeps the lines whose server, tool and prompt labels the scope allows. */
function filter(body: string, scope: Scope): string {
  return body
    .split("\n")
    .filter((line) => {
      if (line.startsWith("#") || !line.includes("{")) return true;
      for (const [, key, value = ""] of line.matchAll(LABEL)) {
        if (key === "server" && !value.startsWith("_") && !scope.server(value)) return false;
        if ((key === "tool" || key === "prompt") && !scope.name(key, value)) return false;
      }
      return true;
    })
    .join("\n");
}

/**
 * Renders one scrape. Scrapes run one at a time: prom-client keeps the format on the registry and
 * renames counters for OpenMetrics (dropping `_total`), which is undone before the next scrape.
 */
export class Exposition {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly metrics: Metrics) {}

  render(accept: string | null, scope?: Scope): Promise<Response> {
    const open = wantsOpenMetrics(accept);
    const run = this.queue.then(() => this.text(open));
    this.queue = run.catch(() => {});
    return run.then(
      (body) =>
        new Response(scope ? filter(body, scope) : body, {
          headers: {
            "Content-Type": open
              ? Registry.OPENMETRICS_CONTENT_TYPE
              : Registry.PROMETHEUS_CONTENT_TYPE,
            "Cache-Control": "no-store",
          },
        }),
    );
  }

  private async text(open: boolean): Promise<string> {
    const registry = this.metrics.registry;
    if (!open) return registry.metrics();
    const names = registry.getMetricsAsArray().map((m) => [m, m.name] as const);
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    try {
      return await registry.metrics();
    } finally {
      registry.setContentType(Registry.PROMETHEUS_CONTENT_TYPE);
      for (const [m, name] of names) (m as { name: string }).name = name;
    }
  }
}
