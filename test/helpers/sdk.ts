// A real SDK client for tests: connected over stdio to a command, declaring every client
// capability, with loose result schemas so that no field a server sent is stripped.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import {
  type CreateMessageRequest,
  CreateMessageRequestSchema,
  type CreateMessageResult,
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
  ListRootsRequestSchema,
  type ListRootsResult,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

/** Accepts any object and keeps every field. */
export const Loose = z.looseObject({});
export type LooseResult = z.infer<typeof Loose>;

export interface ClientHandlers {
  sampling?: (req: CreateMessageRequest) => CreateMessageResult | Promise<CreateMessageResult>;
  elicitation?: (req: ElicitRequest) => ElicitResult | Promise<ElicitResult>;
  roots?: () => ListRootsResult | Promise<ListRootsResult>;
}

export interface ConnectOptions {
  /** Added to the test process's environment (the SDK would otherwise pass only a safe subset). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  handlers?: ClientHandlers;
  name?: string;
}

export interface StdioConnection {
  client: Client;
  pid: number;
  stderrText(): string;
  /** Closes the client; the SDK then stops the child (stdin EOF, SIGTERM, SIGKILL). */
  close(): Promise<void>;
}

const firstText = (req: CreateMessageRequest): string => {
  const content = req.params.messages[0]?.content;
  const part = Array.isArray(content) ? content[0] : content;
  return part?.type === "text" ? part.text : "";
};

const DEFAULTS: Required<ClientHandlers> = {
  sampling: (req) => ({
    role: "assistant",
    content: { type: "text", text: `sampled: ${firstText(req)}` },
    model: "test-model",
    stopReason: "endTurn",
  }),
  elicitation: () => ({ action: "accept", content: { name: "test-user" } }),
  roots: () => ({ roots: [{ uri: "file:///tmp/fixture-root", name: "fixture-root" }] }),
};

/** A client that declares sampling, elicitation and roots, with answering handlers for each. */
export function testClient(name = "test-client", handlers: ClientHandlers = {}): Client {
  const client = new Client(
    { name, version: "1.0.0" },
    { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } },
  );
  const h = { ...DEFAULTS, ...handlers };
  client.setRequestHandler(CreateMessageRequestSchema, (req) => h.sampling(req));
  client.setRequestHandler(ElicitRequestSchema, (req) => h.elicitation(req));
  client.setRequestHandler(ListRootsRequestSchema, () => h.roots());
  return client;
}

export async function connectStdio(
  command: string,
  args: string[] = [],
  opts: ConnectOptions = {},
): Promise<StdioConnection> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...opts.env })) {
    if (v !== undefined) env[k] = v;
  }
  const transport = new StdioClientTransport({ command, args, env, cwd: opts.cwd, stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const client = testClient(opts.name, opts.handlers);
  await client.connect(transport);
  const pid = transport.pid;
  if (pid === null) throw new Error(`connectStdio: ${command} has no pid after connect`);
  return { client, pid, stderrText: () => stderr, close: () => client.close() };
}

type ListMethod = "tools/list" | "prompts/list" | "resources/list" | "resources/templates/list";
const KEYS: Record<ListMethod, string> = {
  "tools/list": "tools",
  "prompts/list": "prompts",
  "resources/list": "resources",
  "resources/templates/list": "resourceTemplates",
};

/** Every item of a paginated list, following nextCursor, with no field stripped. */
export async function listAll(
  client: Client,
  method: ListMethod,
  maxPages = 1000,
): Promise<LooseResult[]> {
  const items: LooseResult[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < maxPages; pages++) {
    const params = cursor === undefined ? {} : { cursor };
    const page = await client.request({ method, params }, Loose);
    const list = page[KEYS[method]];
    if (Array.isArray(list)) for (const item of list) items.push(Loose.parse(item));
    cursor = typeof page.nextCursor === "string" ? page.nextCursor : undefined;
    if (cursor === undefined) return items;
  }
  throw new Error(`listAll(${method}): more than ${maxPages} pages`);
}

/** tools/call without the SDK's output validation, returning the result whole. */
export function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
  options: { timeout?: number; onprogress?: (p: { progress: number }) => void } = {},
): Promise<LooseResult> {
  return client.request(
    { method: "tools/call", params: { name, arguments: args } },
    Loose,
    options,
  );
}
