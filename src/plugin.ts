import { z } from "zod";

export { z };

/** Marks tool() values; a registry symbol, so a plugin holding another copy of this module still works. */
export const TOOL = Symbol.for("mcp-gateway.tool");

export type Shape = z.ZodRawShape;

export interface ToolOptions<I extends Shape, O extends Shape | undefined = undefined> {
  /** Exposed name; defaults to the export's name. */
  name?: string;
  title?: string;
  description: string;
  /** zod shape of the arguments: `{ a: z.number() }`. */
  input?: I;
  /** zod shape of structured output, announced as outputSchema. */
  output?: O;
  annotations?: Record<string, unknown>;
}

export interface ToolContext {
  /** Aborted when the client cancels the call or disconnects. */
  signal: AbortSignal;
}

export type ToolHandler<I extends Shape> = (
  args: z.output<z.ZodObject<I>>,
  context: ToolContext,
) => unknown | Promise<unknown>;

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
  run(args: unknown, context: ToolContext): unknown | Promise<unknown>;
}

const jsonSchema = (shape: Shape): Record<string, unknown> => {
  const { $schema: _drop, ...schema } = z.toJSONSchema(z.object(shape), { io: "input" }) as Record<
    string,
    unknown
  >;
  return schema;
};

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
 * becomes `isError: true` with its message.
 */
export function tool<
  I extends Shape = Record<string, never>,
  O extends Shape | undefined = undefined,
>(options: ToolOptions<I, O>, handler: ToolHandler<I>): GatewayTool {
  const schema = z.object(options.input ?? ({} as I));
  const t: GatewayTool = {
    [TOOL]: true,
    name: options.name,
    title: options.title,
    description: options.description,
    annotations: options.annotations,
    inputSchema: jsonSchema(options.input ?? {}),
    outputSchema: options.output ? jsonSchema(options.output) : undefined,
    parse(args) {
      const r = schema.safeParse(args ?? {});
      if (r.success) return { ok: true, value: r.data };
      const why = r.error.issues.map(
        (i) => `${i.path.length ? i.path.join(".") : "(arguments)"}: ${i.message}`,
      );
      return { ok: false, error: why.join("; ") };
    },
    run: (args, context) => handler(args as z.output<z.ZodObject<I>>, context),
  };
  return t;
}

export const isTool = (v: unknown): v is GatewayTool =>
  typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[TOOL] === true;
