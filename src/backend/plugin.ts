import { errorMessage } from "../errors.ts";
import type { Params } from "../jsonrpc.ts";
import type { GatewayTool } from "../plugin.ts";
import type { Def } from "../protocol.ts";
import { ok, toolError } from "../router/replies.ts";
import type { Caller, Cancel, OutcomeHandler, Target } from "./types.ts";

/** Turn what a handler returned into a CallToolResult (SPEC 6). */
export function toResult(value: unknown): Record<string, unknown> {
  if (typeof value === "string") return { content: [{ type: "text", text: value }] };
  if (value === undefined || value === null) return { content: [] };
  if (typeof value === "object" && !Array.isArray(value)) {
    if (Array.isArray((value as { content?: unknown }).content))
      return value as Record<string, unknown>;
    return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
  }
  return {
    content: [
      {
        type: "text",
        text:
          typeof value === "number" || typeof value === "boolean"
            ? String(value)
            : JSON.stringify(value),
      },
    ],
  };
}

/**
 * The in-process backend: plugin tools run inside the gateway, no process, no
 * serialization. Handlers run on the gateway's event loop: an async handler
 * never stalls other traffic; a handler that computes synchronously for a long
 * time does (README: Plugins).
 */
export class PluginHost implements Target {
  readonly name = "plugins";
  private readonly tools = new Map<string, GatewayTool>();

  register(tool: GatewayTool, name: string): void {
    this.tools.set(name, tool);
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  defs(): Def[] {
    return [...this.tools].map(([name, t]) => {
      const def: Def = { name, description: t.description, inputSchema: t.inputSchema };
      if (t.title) def.title = t.title;
      if (t.outputSchema) def.outputSchema = t.outputSchema;
      if (t.annotations) def.annotations = t.annotations;
      return def;
    });
  }

  forward(
    method: string,
    params: Params | undefined,
    _caller: Caller,
    done: OutcomeHandler,
  ): Cancel {
    const name = params?.name as string;
    const t = this.tools.get(name);
    if (method !== "tools/call" || !t) {
      done(toolError(`plugin tool "${name}" does not exist`));
      return () => {};
    }
    const parsed = t.parse(params?.arguments);
    if (!parsed.ok) {
      done(toolError(`Invalid arguments for tool ${name}: ${parsed.error}`));
      return () => {};
    }
    const ac = new AbortController();
    let finished = false;
    const finish = (reply: Record<string, unknown>) => {
      if (finished) return;
      finished = true;
      done({ jsonrpc: "2.0", id: 0, result: reply });
    };
    try {
      const out = t.run(parsed.value, { signal: ac.signal });
      if (out instanceof Promise)
        out.then(
          (v) => finish(toResult(v)),
          (e: unknown) => finish(toolError(errorMessage(e)).result ?? {}),
        );
      else finish(toResult(out));
    } catch (e) {
      finish(toolError(errorMessage(e)).result ?? {});
    }
    return () => {
      finished = true;
      ac.abort();
    };
  }
}

export { ok };
