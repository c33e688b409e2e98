import type { ServerHandle } from "../backend/server.ts";
import { TASKS_EXTENSION } from "./task-shapes.ts";

/**
 * What the gateway announces to a client: the union of what its backends can do.
 * A backend whose capabilities are not known yet (never started, nothing cached)
 * may have prompts and resources, so those are announced too: capabilities
 * cannot grow after initialize, lists can.
 */
export function capabilities(
  handles: readonly ServerHandle[],
  era: "legacy" | "modern" = "legacy",
): Record<string, unknown> {
  let prompts = false;
  let resources = false;
  let subscribe = false;
  let completions = false;
  const tasks = { any: false, cancel: false, modern: false };
  for (const h of handles) {
    const c = h.info?.capabilities;
    if (!c) {
      prompts = resources = subscribe = completions = true;
      tasks.any = tasks.cancel = tasks.modern = true;
      continue;
    }
    taskSupport(h, c, tasks);
    if (c.prompts) prompts = true;
    if (c.resources) {
      resources = true;
      if ((c.resources as { subscribe?: boolean }).subscribe) subscribe = true;
    }
    if (c.completions) completions = true;
  }
  const caps: Record<string, unknown> = { tools: { listChanged: true }, logging: {} };
  if (prompts) caps.prompts = { listChanged: true };
  if (resources)
    caps.resources = subscribe ? { subscribe: true, listChanged: true } : { listChanged: true };
  if (completions) caps.completions = {};
  // Tasks (tasks.ts): the 2025-11-25 capability to legacy clients, the extension to modern ones.
  // tasks/list is the gateway's own (each client's tasks), so it is there whenever tasks are.
  if (era === "legacy" && tasks.any)
    caps.tasks = {
      list: {},
      ...(tasks.cancel ? { cancel: {} } : {}),
      requests: { tools: { call: {} } },
    };
  if (era === "modern" && tasks.modern) caps.extensions = { [TASKS_EXTENSION]: {} };
  return caps;
}

/**
 * What a backend offers of tasks: a legacy one's task-augmented tools/call (also bridged to
 * modern clients), a modern one's tasks extension.
 */
function taskSupport(
  h: ServerHandle,
  c: Record<string, unknown>,
  out: { any: boolean; cancel: boolean; modern: boolean },
): void {
  if (h.info?.era === "modern") {
    const ext = c.extensions as Record<string, unknown> | undefined;
    if (ext?.[TASKS_EXTENSION] !== undefined) out.modern = true;
    return;
  }
  const t = c.tasks as { cancel?: unknown; requests?: { tools?: { call?: unknown } } } | undefined;
  if (t?.requests?.tools?.call === undefined) return;
  out.any = out.modern = true;
  if (t.cancel !== undefined) out.cancel = true;
}

/** The backends' own instructions, each under its server's name. */
export function instructions(handles: readonly ServerHandle[]): string | undefined {
  const parts: string[] = [];
  for (const h of handles) {
    const text = h.info?.instructions;
    if (text) parts.push(`## ${h.name}\n${text}`);
  }
  return parts.length ? parts.join("\n\n") : undefined;
}
