import { errorMessage } from "../errors.ts";
import type { Params } from "../jsonrpc.ts";
import type { GatewayTool } from "../plugin.ts";
import type { Def } from "../protocol.ts";
import { ok, toolError } from "../replies.ts";
import type { Caller, Cancel, OutcomeHandler, Target } from "./types.ts";

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (typeof v === "object" || typeof v === "function") &&
  v !== null &&
  typeof (v as { then?: unknown }).then === "function";

/** Turn what a handler returned into a CallToolResult (SPEC 6). */
export function toResult(value: unknown): Record<string, unknown> {
  if (typeof value === "string") return { content: [{ type: "text", text: value }] };
  if (value === undefined || value === null) return { content: [] };
  if (isPlainObject(value)) {
    if (Array.isArray(value.content)) return value;
    return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
  }
  const text =
    typeof value === "number" || typeof value === "boolean" || typeof value === "bigint"
      ? String(value)
      : JSON.stringify(value);
  return { content: [{ type: "text", text: text ?? String(value) }] };
}

/**
 * The in-process backend: plugin tools run inside the gateway, no process, no
 * serialization. Handlers run on the gateway's event loop, because a closure cannot be
 * moved to a worker: an async handler never stalls other traffic while it awaits; a
 * handler that computes synchronously for a long time does, for that long (README: Plugins).
 */
export class PluginHost implements Target {
  readonly name = "plugins";
  /** call_timeout in ms (0: none): a handler that hangs must not hold its client forever. */
  callTimeoutMs = 0;
  private readonly tools = new Map<string, { tool: GatewayTool; from: string }>();

  /** Adds `tool` as `name`; when the name is taken, keeps the first and returns who has it. */
  register(tool: GatewayTool, name: string, from = "registerTool"): string | undefined {
    const taken = this.tools.get(name);
    if (taken) return taken.from;
    this.tools.set(name, { tool, from });
    return undefined;
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  defs(): Def[] {
    return [...this.tools].map(([name, { tool: t }]) => {
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
    const name = String(params?.name);
    const t = this.tools.get(name)?.tool;
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
    // Like a backend's: the client gets a tool error naming the tool and the handler's signal
    // aborts; the plugin stays loaded (a late answer is dropped).
    const timer =
      this.callTimeoutMs > 0
        ? setTimeout(() => {
            if (finished) return;
            finished = true;
            const s = this.callTimeoutMs / 1000;
            ac.abort(new Error(`call_timeout passed (${s} s)`));
            done(toolError(`plugin tool "${name}" did not answer within ${s} s (call_timeout)`));
          }, this.callTimeoutMs)
        : undefined;
    const finish = (settle: () => Record<string, unknown>) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      let reply: Record<string, unknown>;
      try {
        reply = settle();
      } catch (e) {
        reply = failed(e);
      }
      done(ok(reply));
    };
    const failed = (e: unknown) => toolError(errorMessage(e)).result ?? {};
    const succeeded = (value: unknown) => () => {
      const result = toResult(value);
      if (!t.checkOutput || result.isError === true) return result;
      const why =
        result.structuredContent === undefined
          ? "no structured content (return an object)"
          : t.checkOutput(result.structuredContent);
      if (!why) return result;
      return failed(`Tool ${name} returned output that does not match its outputSchema: ${why}`);
    };
    try {
      const out = t.run(parsed.value, { signal: ac.signal });
      if (isThenable(out))
        out.then(
          (v) => finish(succeeded(v)),
          (e: unknown) => finish(() => failed(e)),
        );
      else finish(succeeded(out));
    } catch (e) {
      finish(() => failed(e));
    }
    return () => {
      finished = true;
      clearTimeout(timer);
      ac.abort(new Error("the client cancelled the call"));
    };
  }
}
