/**
 * Types of the "mcp-gateway" module, for plugin authors and programs.
 *
 * At run time `import { tool, z } from "mcp-gateway"` is served by the gateway itself (the
 * compiled binary, or `bun src/main.ts`), so a plugin needs no node_modules. This file is only
 * for the editor: map "mcp-gateway" to it with `compilerOptions.paths` (README: Plugins), and
 * make zod 4's types findable (`bun add -d zod@4`; at run time the gateway's own zod is used).
 *
 * Kept by hand in step with src/index.ts; test/plugin/types.test.ts type-checks a plugin and a
 * program against it.
 */
import { z } from "zod";

export { z };

/** A zod object shape: `{ a: z.number(), b: z.string().optional() }`. */
export type Shape = z.ZodRawShape;

export interface ToolOptions<I extends Shape, O extends Shape | undefined = undefined> {
  /** Exposed name; defaults to the export's name. */
  name?: string;
  title?: string;
  description: string;
  /** zod shape of the arguments: `{ a: z.number() }`. Announced as inputSchema, checked on every call. */
  input?: I;
  /** zod shape of the structured result, announced as outputSchema and checked on every call. */
  output?: O;
  /** MCP tool annotations (readOnlyHint, destructiveHint, …), passed on as given. */
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

declare const TOOL: unique symbol;

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

/**
 * Define an in-process tool. A string result becomes text content; an object becomes
 * structuredContent plus its JSON as text; a full CallToolResult (with `content`) passes as
 * is; a thrown error becomes `isError: true` with its message.
 *
 * @example
 * ```ts
 * import { tool, z } from "mcp-gateway";
 * export const add = tool({ description: "Add two numbers", input: { a: z.number(), b: z.number() } },
 *   ({ a, b }) => a + b);
 * ```
 */
export declare function tool<
  I extends Shape = Record<string, never>,
  O extends Shape | undefined = undefined,
>(options: ToolOptions<I, O>, handler: ToolHandler<I, O>): GatewayTool;

export declare function isTool(v: unknown): v is GatewayTool;

export type ErrorCode =
  | "CONFIG"
  | "USAGE"
  | "PLUGIN"
  | "BACKEND_START"
  | "BACKEND_EXIT"
  | "BACKEND_BACKOFF"
  | "BACKEND_DISABLED"
  | "CALL_TIMEOUT"
  | "START_TIMEOUT"
  | "CANCELLED"
  | "CLOSED";

/** The gateway's one error class; `code` says what went wrong. */
export declare class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  constructor(code: ErrorCode, message: string, exitCode?: number);
}

/** gateway.yaml as an object (README: Configuration); validated by the constructor. */
export interface ConfigInput {
  $schema?: string;
  idle_timeout?: number;
  call_timeout?: number;
  start_timeout?: number;
  servers?: Record<string, Record<string, unknown>>;
  plugins?: { module: string }[];
  roles?: Record<string, string[] | null>;
  auth?: { tokens: { token: string; role: string }[] };
  http?: Record<string, unknown>;
}

export type GatewayConfig = Required<
  Pick<
    ConfigInput,
    "idle_timeout" | "call_timeout" | "start_timeout" | "servers" | "plugins" | "roles"
  >
> &
  ConfigInput;

export interface GatewayOptions {
  /** Parsed config (validated here) or nothing for built-in tools only. */
  config?: ConfigInput;
  /** Folder that relative paths in the config are relative to (default: cwd). */
  configDir?: string;
  /** The role every client of this gateway gets (stdio, or HTTP without tokens). */
  role?: string;
  /** Schema cache folder (default: $XDG_CACHE_HOME/mcp-gateway). */
  cacheDir?: string;
}

export interface ServeHttpOptions {
  host?: string;
  port?: number;
  /** Allow a non-loopback bind without auth.tokens. */
  insecure?: boolean;
}

export interface HttpServing {
  url: string;
  port: number;
}

/** Streams for serveStdio (default: the process's own stdin/stdout). */
export interface StdioIO {
  input: ReadableStream<Uint8Array>;
  write(text: string): void;
}

export interface ListReport {
  servers: Array<{
    name: string;
    kind: "stdio" | "remote";
    enabled: boolean;
    state: string;
    source: "cache" | "live" | "placeholder" | "disabled";
    tools: number;
  }>;
  tools: Array<{ name: string; server?: string; original?: string }>;
  role?: string;
}

/**
 * The gateway: config → backends (started lazily) → router → fronts. The CLI is built on it.
 *
 * @example
 * ```ts
 * import { MCPGateway } from "mcp-gateway";
 * await using gw = await MCPGateway.fromConfig("gateway.yaml");
 * gw.registerTool(add);
 * await gw.serveStdio();
 * ```
 */
export declare class MCPGateway {
  readonly config: GatewayConfig;
  readonly configDir: string;
  /** Resolves when the gateway has stopped serving (stdin closed, signal, close()). */
  readonly closed: Promise<void>;
  /** Load a config file (discovered as the CLI does when `path` is omitted) and its plugins. */
  static fromConfig(
    path?: string,
    opts?: Omit<GatewayOptions, "config" | "configDir">,
  ): Promise<MCPGateway>;
  constructor(options?: GatewayOptions);
  /** Add a tool(...) value, named by `name` or its own `name`; a taken name throws. */
  registerTool(t: GatewayTool, name?: string): this;
  /** Add a plain function as a tool. */
  registerTool<I extends Shape, O extends Shape | undefined = undefined>(
    fn: ToolHandler<I, O>,
    options: ToolOptions<I, O> & { name: string },
  ): this;
  /** Serve MCP on stdin/stdout; resolves when stdin closes (and the gateway has closed). */
  serveStdio(io?: StdioIO): Promise<void>;
  /** Serve Streamable HTTP (/mcp) and legacy SSE (/sse) on Bun.serve. */
  serveHttp(opts?: ServeHttpOptions): Promise<HttpServing>;
  /** Alias of serveHttp, for people coming from the Python original. */
  serveSse(opts?: ServeHttpOptions): Promise<HttpServing>;
  /** What `mcp-gateway list` shows; with refresh, each server is started once to fill the cache. */
  list(opts?: { refresh?: boolean }): Promise<ListReport>;
  /** Stop serving and stop every backend. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
