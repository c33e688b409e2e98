import { z } from "zod";

export { z };

/** Marks tool() values; a registry symbol, so a plugin holding another copy of this module still works. */
export const TOOL = Symbol.for("mcp-gateway.tool");

export type Shape = z.ZodRawShape;

/** Tools made by this copy of the module: a plugin holding another copy has another zod too. */
const made = new WeakSet<object>();

export interface ToolOptions<I extends Shape, O extends Shape | undefined = undefined> {
  /** Exposed name; defaults to the export's name. */
  name?: string;
  title?: string;
  description: string;
  /** zod shape of the arguments: `{ a: z.number() }`. */
  input?: I;
  /** zod shape of the structured result, announced as outputSchema and checked on every call. */
  output?: O;
  annotations?: Record<string, unknown>;
}

export interface ToolContext {
  /** Aborted when the client cancels the call or disconnects. */
  signal: AbortSignal;
}

/** A complete MCP tool result, passed to the client as is. */
export interface CallToolResultLike {
  content: unknown[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  _meta?: Record<string, unknown>;
}

/** With an `output` shape the handler must return that object (or a full result). */
export type ToolReturn<O extends Shape | undefined> = O extends Shape
  ? z.input<z.ZodObject<O>> | CallToolResultLike
  : unknown;

export type ToolHandler<I extends Shape, O extends Shape | undefined = undefined> = (
  args: z.output<z.ZodObject<I>>,
  context: ToolContext,
) => ToolReturn<O> | Promise<ToolReturn<O>>;

/** A tool defined in TypeScript and run inside the gateway process. */
export interface GatewayTool {
  readonly [TOOL]: true;
  name?: string;
  readonly title?: string;
  readonly description: string;
  readonly annotations?: Record<string, unknown>;
  readonly inputSchema: Record<string, unknown>;
  readonly outputSchema?: Record<string, unknown>;
  /** Validated arguments, or one line saying which field is wrong and why. */
  parse(args: unknown): { ok: true; value: unknown } | { ok: false; error: string };
  /** With an output shape: undefined when `structured` matches it, else why not. */
  checkOutput?(structured: unknown): string | undefined;
  run(args: unknown, context: ToolContext): unknown;
}

const jsonSchema = (shape: Shape, io: "input" | "output"): Record<string, unknown> => {
  const { $schema: _drop, ...schema } = z.toJSONSchema(z.object(shape), { io }) as Record<
    string,
    unknown
  >;
  return schema;
};

const at = (value: unknown, path: readonly PropertyKey[]): unknown => {
  let v = value;
  for (const key of path) v = typeof v === "object" && v !== null ? Reflect.get(v, key) : undefined;
  return v;
};

/** "a: required (expected number); b.c: Too small: expected number to be >0" */
export function describeIssues(error: z.ZodError, value: unknown): string {
  return error.issues
    .map((i) => {
      const field = i.path.length ? i.path.map(String).join(".") : "(arguments)";
      if (i.code === "invalid_type" && i.path.length > 0 && at(value, i.path) === undefined)
        return `${field}: required (expected ${i.expected})`;
      return `${field}: ${i.message}`;
    })
    .join("; ");
}

/**
 * Define an in-process tool.
 *
 * @example
 * ```ts
 * import { tool, z } from "mcp-gateway";
 * export const add = tool({ description: "Add two numbers", input: { a: z.number(), b: z.number() } },
 *   ({ a, b }) => a + b);
 * ```
 * A string result becomes text content; an object becomes structuredContent plus its
 * JSON as text; a full CallToolResult (with `content`) passes as is; a thrown error
 * becomes `isError: true` with its message. Handlers run on the gateway's event loop:
 * await I/O freely, but a long synchronous computation delays every other request.
 */
export function tool<
  I extends Shape = Record<string, never>,
  O extends Shape | undefined = undefined,
>(options: ToolOptions<I, O>, handler: ToolHandler<I, O>): GatewayTool {
  const input = z.object(options.input ?? ({} as I));
  const output = options.output ? z.object(options.output) : undefined;
  const t: GatewayTool = {
    [TOOL]: true,
    name: options.name,
    title: options.title,
    description: options.description,
    annotations: options.annotations,
    inputSchema: jsonSchema(options.input ?? {}, "input"),
    outputSchema: options.output ? jsonSchema(options.output, "output") : undefined,
    parse(args) {
      const value = args ?? {};
      const r = input.safeParse(value);
      return r.success
        ? { ok: true, value: r.data }
        : { ok: false, error: describeIssues(r.error, value) };
    },
    checkOutput: output
      ? (structured) => {
          const r = output.safeParse(structured);
          return r.success ? undefined : describeIssues(r.error, structured);
        }
      : undefined,
    run: (args, context) => handler(args as z.output<z.ZodObject<I>>, context),
  };
  made.add(t);
  return t;
}

/** True when `t` came from this module's tool(), so its schemas share the gateway's zod. */
export const madeHere = (t: GatewayTool): boolean => made.has(t);

export const isTool = (v: unknown): v is GatewayTool =>
  typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[TOOL] === true;
