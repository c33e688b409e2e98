// The built-in tools of search mode: gateway_search_tools finds tools, gateway_call_tool calls one.
import type { Caller, Cancel, Target } from "../backend/types.ts";
import { errorMessage } from "../errors.ts";
import type { Params } from "../jsonrpc.ts";
import { ok, type Reply, toolError } from "../replies.ts";
import { firstSentence } from "../search/doc.ts";
import type { LocalTool } from "./catalog.ts";
import { type Client, isClient } from "./client.ts";
import { CALL_TOOL, SEARCH_TOOL, type ToolSearch } from "./tool-search.ts";

export const MAX_LIMIT = 20;

export interface SearchToolsHost {
  readonly toolSearch?: ToolSearch;
  /** Router.request: one client request through the same dispatch as the wire's. */
  request(
    client: Client,
    method: string,
    params: Params | undefined,
    done: (reply: Reply) => void,
  ): Cancel | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const invalid = (tool: string, what: string): Reply =>
  toolError(`Invalid arguments for tool ${tool}: ${what}`);

/** A local tool's target: `run` answers a tools/call with the arguments it was given. */
function target(
  name: string,
  run: (
    args: Record<string, unknown>,
    params: Params,
    caller: Caller,
    done: (r: Reply) => void,
  ) => Cancel | undefined,
): Target {
  return {
    name: `built-in ${name}`,
    forward(_method, params, caller, done) {
      const args = params?.arguments ?? {};
      if (!isObject(args)) {
        done(invalid(name, "arguments must be an object"));
        return () => {};
      }
      return run(args, params ?? {}, caller, done) ?? (() => {});
    },
  };
}

function searchTool(host: () => SearchToolsHost): LocalTool {
  const run = (
    args: Record<string, unknown>,
    _p: Params,
    caller: Caller,
    done: (r: Reply) => void,
  ) => {
    const search = host().toolSearch;
    const { query, limit } = args;
    if (typeof query !== "string" || query.trim() === "")
      return void done(invalid(SEARCH_TOOL, "query: required, a non-empty string"));
    if (
      limit !== undefined &&
      (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    )
      return void done(invalid(SEARCH_TOOL, `limit: an integer from 1 to ${MAX_LIMIT}`));
    if (!search) return void done(toolError("Tool search is off in this gateway's config"));
    search
      .search(caller, query, (limit as number | undefined) ?? search.config.limit)
      .then(({ hits, total }) => {
        const tools = hits.map((h) => ({
          name: h.def.name,
          description: typeof h.def.description === "string" ? h.def.description : "",
          inputSchema: h.def.inputSchema ?? { type: "object" },
          server: h.server,
        }));
        const lines = tools.map(
          (t) =>
            `- ${t.name}${t.server ? ` (${t.server})` : ""}: ${firstSentence(t.description)}\n  input: ${JSON.stringify(t.inputSchema)}`,
        );
        const text = tools.length
          ? `${tools.length} of ${total} matching tools, best first. Call one by name (it is in your tool list now, or use ${CALL_TOOL}):\n${lines.join("\n")}`
          : `No tool matches "${query}". Try other words.`;
        done(ok({ content: [{ type: "text", text }], structuredContent: { tools, total } }));
      })
      .catch((e) => done(toolError(`Tool search failed: ${errorMessage(e)}`)));
    return undefined;
  };
  return {
    everyRole: true,
    target: target(SEARCH_TOOL, run),
    def: {
      name: SEARCH_TOOL,
      title: "Search tools",
      description:
        "Find the tools for a task among all the tools behind this gateway (only a few are listed). Describe what you want to do in plain words; returns the best matching tools, best first, with their input schemas. Found tools join your tool list: call them directly or through gateway_call_tool.",
      inputSchema: {
        type: "object",
        properties: {
          query: {
            type: "string",
            description: "What you want to do, e.g. 'create a GitHub issue'",
          },
          limit: {
            type: "integer",
            minimum: 1,
            maximum: MAX_LIMIT,
            description: "How many tools to return (default 5)",
          },
        },
        required: ["query"],
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
  };
}

function callTool(host: () => SearchToolsHost): LocalTool {
  const run = (
    args: Record<string, unknown>,
    p: Params,
    caller: Caller,
    done: (r: Reply) => void,
  ) => {
    const { name } = args;
    const inner = args.arguments;
    if (typeof name !== "string" || name === "")
      return void done(invalid(CALL_TOOL, "name: required, the exact name of a tool"));
    if (inner !== undefined && !isObject(inner))
      return void done(invalid(CALL_TOOL, "arguments: must be an object"));
    // Dispatched as a direct call (Router.request): same role check, same errors, the result
    // passed on untouched; the caller's progress token rides along. Any Client works: a legacy
    // session or one modern (stateless) request. Only an in-process caller has none.
    if (!isClient(caller)) return void done(toolError(`${CALL_TOOL} needs a client`));
    const params: Params = { name, arguments: inner ?? {} };
    if (p._meta !== undefined) params._meta = p._meta;
    return host().request(caller, "tools/call", params, done);
  };
  return {
    everyRole: true,
    target: target(CALL_TOOL, run),
    def: {
      name: CALL_TOOL,
      title: "Call a tool",
      description:
        "Call a tool found with gateway_search_tools, by its exact name, with its arguments. The result is the tool's own.",
      inputSchema: {
        type: "object",
        properties: {
          name: { type: "string", description: "The tool's exact name, as the search returned it" },
          arguments: { type: "object", description: "The tool's arguments, per its input schema" },
        },
        required: ["name"],
      },
    },
  };
}

/** The two built-in tools of search mode, listed to every role while search mode is on. */
export function searchTools(host: () => SearchToolsHost): LocalTool[] {
  return [searchTool(host), callTool(host)];
}
