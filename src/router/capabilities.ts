import type { ServerHandle } from "../backend/server.ts";

/**
 * What the gateway announces to a client: the union of what its backends can do.
 * A backend whose capabilities are not known yet (never started, nothing cached)
 * may have prompts and resources, so those are announced too: capabilities
 * cannot grow after initialize, lists can.
 */
export function capabilities(handles: readonly ServerHandle[]): Record<string, unknown> {
  let prompts = false;
  let resources = false;
  let subscribe = false;
  let completions = false;
  for (const h of handles) {
    const c = h.info?.capabilities;
    if (!c) {
      prompts = resources = subscribe = completions = true;
      continue;
    }
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
  return caps;
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
