/**
 * The `{"mcpServers": {...}}` JSON that Claude Desktop, Claude Code and Cursor
 * use, accepted as a .json config and converted to the gateway's own shape.
 *
 * Per server: `command`, `args`, `env`, `cwd` (stdio) or `type`, `url`,
 * `headers` (remote); `disabled: true` means `enabled: false`. A few keys other
 * clients add are accepted and ignored: `autoApprove`, `alwaysAllow`, `timeout`,
 * `description`. Anything else is an error, as in gateway.yaml.
 */
import { z } from "zod";
import type { KeyPath } from "./expand.ts";
import type { ConfigInput } from "./schema.ts";

const REMOTE_TYPES = ["http", "streamable-http", "sse"] as const;
const STDIO_KEYS = ["command", "args", "env", "cwd"] as const;

const stringMap = z.record(z.string(), z.string());

const McpServerEntry = z
  .strictObject({
    type: z.enum(["stdio", ...REMOTE_TYPES]).optional(),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).optional(),
    env: stringMap.optional(),
    cwd: z.string().optional(),
    url: z.string().optional(),
    headers: stringMap.optional(),
    disabled: z.boolean().optional(),
    // Other clients' settings; the gateway has no use for them.
    autoApprove: z.unknown().optional(),
    alwaysAllow: z.unknown().optional(),
    timeout: z.unknown().optional(),
    description: z.unknown().optional(),
  })
  .superRefine((e, ctx) => {
    const remote = e.url !== undefined || (e.type !== undefined && e.type !== "stdio");
    if (!remote) {
      if (e.command === undefined) {
        ctx.addIssue({
          code: "custom",
          params: { at: "key" },
          message: 'missing required key "command" (or "url" for a remote server)',
        });
      }
      return;
    }
    if (e.type === "stdio") {
      ctx.addIssue({
        code: "custom",
        path: ["url"],
        params: { at: "key" },
        message: '"url" is not allowed with type "stdio"',
      });
      return;
    }
    if (e.url === undefined) {
      ctx.addIssue({
        code: "custom",
        params: { at: "key" },
        message: `missing required key "url" (type "${e.type}")`,
      });
    }
    for (const k of STDIO_KEYS) {
      if (e[k] !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [k],
          params: { at: "key" },
          message: `"${k}" is not allowed for a remote server (one with "url" or type "${e.type ?? "http"}")`,
        });
      }
    }
  });

export const McpServersFileSchema = z.strictObject({
  $schema: z.string().optional(),
  mcpServers: z.record(z.string(), McpServerEntry),
});
export type McpServersFile = z.output<typeof McpServersFileSchema>;

export const isMcpServersFile = (data: unknown): boolean =>
  data !== null && typeof data === "object" && "mcpServers" in data;

/** Convert a validated mcpServers file; undefined values take the gateway's defaults. */
export function fromMcpServers(file: McpServersFile): ConfigInput {
  const servers: NonNullable<ConfigInput["servers"]> = {};
  for (const [name, e] of Object.entries(file.mcpServers)) {
    const enabled = e.disabled === undefined ? undefined : !e.disabled;
    if (e.url !== undefined) {
      const transport = e.type === "sse" ? "sse" : e.type === undefined ? "auto" : "http";
      servers[name] = { url: e.url, headers: e.headers, transport, enabled };
    } else {
      // The schema's refinement guarantees a command here.
      const command = e.command ?? "";
      servers[name] = { command, args: e.args, env: e.env, cwd: e.cwd, enabled };
    }
  }
  return { servers };
}

const FILE_KEYS: Record<string, string> = { transport: "type", enabled: "disabled" };

/** A key path of the converted config → where that value came from in the file. */
export function toMcpServersPath(path: KeyPath): KeyPath {
  const [top, name, key, ...rest] = path;
  if (top !== "servers") return path;
  const head: KeyPath = name === undefined ? ["mcpServers"] : ["mcpServers", name];
  if (key === undefined) return head;
  return [...head, FILE_KEYS[String(key)] ?? key, ...rest];
}
