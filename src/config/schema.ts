import { z } from "zod";
import { SESSION_REF, usesSessionVar } from "./session-var.ts";

/**
 * The gateway.yaml schema. One source for validation, the TypeScript types and
 * the JSON Schema that `mcp-gateway schema` prints for editors.
 *
 * @example
 * ```yaml
 * idle_timeout: 300
 * servers:
 *   filesystem:
 *     command: npx
 *     args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]
 * ```
 */

/** Server names separate from tool names with "_", so they may not contain one. */
export const SERVER_NAME = /^[A-Za-z0-9-]+$/;
/** A prefix is part of an exposed name; "" exposes the backend's names unprefixed. */
export const PREFIX = /^[A-Za-z0-9_-]*$/;

const seconds = (what: string) => z.number().nonnegative().meta({ description: what });
const stringMap = z.record(z.string(), z.string());

const common = {
  enabled: z.boolean().default(true).meta({ description: "false: not started, not listed" }),
  idle_timeout: seconds("Per-server idle_timeout override (seconds; 0 = never)").optional(),
  call_timeout: seconds("Per-server call_timeout override (seconds)").optional(),
  start_timeout: seconds("Per-server start_timeout override (seconds)").optional(),
  prefix: z
    .string()
    .regex(PREFIX, "letters, digits, '_' and '-' only")
    .optional()
    .meta({ description: 'Prefix of exposed names (default: the server\'s name; "": none)' }),
  share: z.enum(["shared", "per_session"]).optional().meta({
    description:
      "shared (the default): one process (or remote connection) serves every client; per_session: one per client session, started on its first use, stopped when idle or when the session ends",
  }),
  max_sessions: z.number().int().positive().optional().meta({
    description:
      "share: per_session only: sessions that may hold a process at once (default 8); past it a session's request is refused",
  }),
};

/**
 * max_sessions and `${MCP_GATEWAY_SESSION}` concern per-session processes: without `share:
 * per_session` they are a mistake, never silently ignored.
 */
function perSessionOnly(
  s: { share?: string; max_sessions?: number },
  ctx: { addIssue(i: { code: "custom"; message: string; path: string[] }): void },
): void {
  if (s.share === "per_session") return;
  if (s.max_sessions !== undefined)
    ctx.addIssue({
      code: "custom",
      message: "max_sessions needs share: per_session",
      path: ["max_sessions"],
    });
  if (usesSessionVar(s))
    ctx.addIssue({
      code: "custom",
      message: `${SESSION_REF} is filled per session: it needs share: per_session`,
      path: ["share"],
    });
}

export const StdioServerSchema = z
  .strictObject({
    command: z.string().min(1).meta({ description: "Executable to run (found on PATH)" }),
    args: z.array(z.string()).default([]),
    env: stringMap.default({}).meta({ description: "Extra environment; ${VAR} expands" }),
    cwd: z.string().optional().meta({ description: "Working folder, relative to the config file" }),
    ...common,
  })
  .superRefine(perSessionOnly)
  .meta({ title: "stdio server" });

/** How the gateway logs in to a remote server that wants OAuth (see README, "Remote servers that need a login"). */
export const OAuthSchema = z
  .strictObject({
    client_id: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "A client registered with the authorization server beforehand" }),
    client_secret: z.string().min(1).optional().meta({ description: "Its secret, if it has one" }),
    client_metadata_url: z
      .url({ protocol: /^https$/ })
      .optional()
      .meta({
        description:
          "HTTPS URL of a Client ID Metadata Document, used as the client_id where the authorization server supports it",
      }),
    scopes: z
      .array(z.string().min(1))
      .optional()
      .meta({ description: "Scopes to ask for besides those the server names" }),
    grant: z.enum(["authorization_code", "client_credentials"]).default("authorization_code").meta({
      description:
        "client_credentials: no browser, for machines (needs client_id and client_secret)",
    }),
    redirect_port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .meta({ description: "Port of the loopback redirect URI http://127.0.0.1:PORT/callback" }),
  })
  .refine((o) => o.grant !== "client_credentials" || (o.client_id && o.client_secret), {
    message: "grant client_credentials needs client_id and client_secret",
  });

export const RemoteServerSchema = z
  .strictObject({
    url: z.url().meta({ description: "Streamable HTTP or SSE endpoint" }),
    headers: stringMap.default({}),
    transport: z.enum(["auto", "http", "sse"]).default("auto"),
    oauth: z.union([z.boolean(), OAuthSchema]).optional().meta({
      description:
        "OAuth login to this server: true or settings to always use it, false never; unset: when it answers 401 and no Authorization header is configured",
    }),
    ...common,
  })
  .superRefine(perSessionOnly)
  .meta({ title: "remote server" });

export const ServerSchema = z.union([StdioServerSchema, RemoteServerSchema]);

export const PluginSchema = z.strictObject({
  module: z.string().min(1).meta({ description: "Path (relative to the config file) or package" }),
});

export const RoleSchema = z
  .array(z.string().min(1))
  .nullable()
  .meta({ description: "null: everything; else picomatch globs over exposed tool/prompt names" });

/**
 * An OpenAI-compatible embeddings endpoint whose similarities are fused with the lexical ranking.
 *
 * @example
 * ```yaml
 * tool_search:
 *   embeddings: { url: http://127.0.0.1:11434/v1, model: nomic-embed-text }
 * ```
 */
export const EmbeddingsSchema = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }).meta({
      description: "The API's base URL (POST <url>/embeddings), e.g. http://127.0.0.1:11434/v1",
    }),
    model: z.string().min(1).meta({ description: "The embedding model's name" }),
    api_key: z.string().min(1).optional().meta({ description: "Sent as a bearer token" }),
    weight: z.number().min(0).max(1).default(0.5).meta({
      description: "Share of the embedding similarity in the ranking (0..1; the rest is lexical)",
    }),
    timeout: seconds(
      "Seconds a query's embedding may take before the search answers without it",
    ).default(5),
  })
  .meta({
    description:
      "Optional: rank by meaning too, with an OpenAI-compatible /v1/embeddings endpoint (e.g. a local Ollama); off by default",
  });

const TOOL_SEARCH_DEFAULTS = {
  mode: "auto" as const,
  auto_tokens: 10_000,
  always: [],
  limit: 5,
  max_active: 20,
};

export const ToolSearchSchema = z
  .strictObject({
    mode: z.enum(["off", "on", "auto"]).default("auto").meta({
      description:
        "on: tools/list holds gateway_search_tools, gateway_call_tool, the `always` tools and gateway_status; the rest is found by search. auto: on for a caller whose visible tool definitions weigh more than auto_tokens. off: every tool listed, no search tools",
    }),
    auto_tokens: z.number().int().positive().default(10_000).meta({
      description:
        "auto: the o200k token weight of a caller's tool definitions above which search is on",
    }),
    always: z.array(z.string().min(1)).default([]).meta({
      description: "picomatch globs of exposed tool names that stay listed in search mode",
    }),
    limit: z.number().int().min(1).max(20).default(5).meta({
      description: "Results a search returns when the caller gives no limit (1-20)",
    }),
    max_active: z.number().int().nonnegative().default(20).meta({
      description:
        "Found tools kept in a session's tools/list (the least recently found leave first); 0: none, call them through gateway_call_tool",
    }),
    embeddings: EmbeddingsSchema.optional(),
  })
  .default(TOOL_SEARCH_DEFAULTS)
  .meta({ description: "Tool search: list a few tools and let the model search for the rest" });

export const ConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    idle_timeout: seconds(
      "Seconds a backend may sit unused before it is stopped; 0 = never",
    ).default(300),
    call_timeout: seconds("Seconds a forwarded request may take").default(120),
    start_timeout: seconds("Seconds a backend may take to start and initialize").default(60),
    servers: z
      .record(z.string().regex(SERVER_NAME, "a server name: letters, digits and '-'"), ServerSchema)
      .default({}),
    plugins: z.array(PluginSchema).default([]),
    metrics: z.boolean().default(true).meta({
      description:
        "Prometheus metrics at GET /metrics of the HTTP front (and of --metrics-port); false: none, and no cost per call",
    }),
    audit_log: z.string().min(1).optional().meta({
      description:
        'Audit log: one JSON line per tool call, prompt get and resource read, appended to this file (relative to the config file) or "-" for stderr',
    }),
    roles: z.record(z.string().min(1), RoleSchema).default({}),
    tool_search: ToolSearchSchema,
    auth: z
      .strictObject({
        tokens: z.array(
          z.strictObject({
            token: z.string().min(1),
            role: z.string().min(1),
            label: z.string().min(1).optional().meta({
              description:
                "Who holds the token, for the audit log (default: its principal id, token:<keyed hash>)",
            }),
          }),
        ),
      })
      .optional()
      .meta({ description: "HTTP front only: bearer tokens and the role each one gets" }),
    http: z
      .strictObject({
        allowed_origins: z.array(z.string()).default([]),
        allowed_hosts: z.array(z.string()).default([]),
        max_body_bytes: z
          .number()
          .int()
          .positive()
          .default(4 * 1024 * 1024),
        session_idle_timeout: seconds("Seconds an HTTP session may sit unused").default(1800),
      })
      .default({
        allowed_origins: [],
        allowed_hosts: [],
        max_body_bytes: 4 * 1024 * 1024,
        session_idle_timeout: 1800,
      }),
  })
  .meta({ title: "mcp-gateway configuration" });

export type GatewayConfig = z.output<typeof ConfigSchema>;
export type ServerConfig = z.output<typeof ServerSchema>;
export type StdioServerConfig = z.output<typeof StdioServerSchema>;
export type RemoteServerConfig = z.output<typeof RemoteServerSchema>;
export type OAuthConfig = z.output<typeof OAuthSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
export type ToolSearchConfig = z.output<typeof ToolSearchSchema>;

export const isRemote = (s: ServerConfig): s is RemoteServerConfig => "url" in s;

/** A config with nothing in it: built-in tools only. */
export const emptyConfig = (): GatewayConfig => ConfigSchema.parse({});

/** The JSON Schema editors use to complete and check gateway.yaml. */
export const configJsonSchema = () => z.toJSONSchema(ConfigSchema, { io: "input" });
