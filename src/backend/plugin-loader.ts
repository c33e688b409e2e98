import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { errorMessage, GatewayError } from "../errors.ts";
import { isTool } from "../plugin.ts";
import type { PluginHost } from "./plugin.ts";

/** Load plugin modules and register every exported tool(); a bad module is an error naming it. */
export async function loadPlugins(
  host: PluginHost,
  modules: readonly string[],
  dir: string,
): Promise<void> {
  for (const spec of modules) {
    const path = isAbsolute(spec) || spec.startsWith(".") ? resolve(dir, spec) : spec;
    let mod: Record<string, unknown>;
    try {
      mod = isAbsolute(path)
        ? await import(pathToFileURL(path).href)
        : await import(Bun.resolveSync(path, dir));
    } catch (e) {
      throw new GatewayError("PLUGIN", `plugin ${spec}: cannot load: ${errorMessage(e)}`);
    }
    let found = 0;
    for (const [exportName, value] of Object.entries(mod)) {
      if (!isTool(value)) continue;
      found++;
      host.register(value, value.name ?? (exportName === "default" ? spec : exportName));
    }
    if (found === 0)
      throw new GatewayError(
        "PLUGIN",
        `plugin ${spec}: exports no tool() (export const x = tool({...}, handler))`,
      );
  }
}
