/**
 * Legacy versions served to clients and accepted from backends, newest first (SPEC 1): the SDK's
 * own list, spelled out so that no gateway loads the SDK package just for it
 * (test/era/keys.test.ts holds it equal to the SDK's SUPPORTED_PROTOCOL_VERSIONS).
 */
export const PROTOCOL_VERSIONS: readonly string[] = [
  "2025-11-25",
  "2025-06-18",
  "2025-03-26",
  "2024-11-05",
  "2024-10-07",
];
export const LATEST_VERSION = "2025-11-25";

/** The version to answer a client's initialize with: its own when supported, else the latest. */
export const negotiate = (requested: unknown): string =>
  typeof requested === "string" && PROTOCOL_VERSIONS.includes(requested)
    ? requested
    : LATEST_VERSION;

/** Definitions as plain objects: every field the backend sent is kept. */
export type Def = { [key: string]: unknown; name: string };
export type ResourceDef = Def & { uri: string };
export type TemplateDef = Def & { uriTemplate: string };

export interface Lists {
  tools: Def[];
  prompts: Def[];
  resources: ResourceDef[];
  resourceTemplates: TemplateDef[];
}
export type ListKind = keyof Lists;
export const LIST_KINDS: readonly ListKind[] = [
  "tools",
  "prompts",
  "resources",
  "resourceTemplates",
];

/** The list_changed notification clients get when a kind of list changes. */
export const LIST_CHANGED: Record<ListKind, string> = {
  tools: "notifications/tools/list_changed",
  prompts: "notifications/prompts/list_changed",
  resources: "notifications/resources/list_changed",
  resourceTemplates: "notifications/resources/list_changed",
};

export interface ServerInfo {
  /** How the backend is spoken to: initialize then a session (legacy), or per request (modern). */
  era?: "legacy" | "modern";
  protocolVersion: string;
  capabilities: Record<string, unknown>;
  serverInfo?: Record<string, unknown>;
  instructions?: string;
}

export const emptyLists = (): Lists => ({
  tools: [],
  prompts: [],
  resources: [],
  resourceTemplates: [],
});
