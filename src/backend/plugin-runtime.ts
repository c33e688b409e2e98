/**
 * Makes `import … from "mcp-gateway"` (and "zod") inside a plugin file resolve to this
 * process's own modules, wherever the plugin lives on disk and with no node_modules next
 * to it. Inside the compiled binary there is no package to find at all, and from the
 * sources a plugin outside the repo would otherwise not find one either; a second copy
 * would also mean a second zod, whose schemas fail the gateway's `instanceof` checks.
 *
 * Bun's runtime `onResolve` does not fire for bare specifiers, but a virtual module
 * (`build.module`) does, in the compiled binary too, and it wins over node_modules.
 */
import * as zod from "zod";

let installed: Promise<void> | undefined;

/** Register the virtual modules once per process; later calls share the first. */
export function installPluginRuntime(api: Record<string, unknown>): Promise<void> {
  installed ??= install(api);
  return installed;
}

/** `api`: the values "mcp-gateway" exports (src/index.ts), handed down by the gateway that loads plugins. */
async function install(api: Record<string, unknown>): Promise<void> {
  const zodExports: Record<string, unknown> = { ...zod };
  const modules: Record<string, Record<string, unknown>> = {
    "mcp-gateway": api,
    // zod 4's "zod" and "zod/v4" are the same classic API; both map to the gateway's copy.
    zod: zodExports,
    "zod/v4": zodExports,
  };
  Bun.plugin({
    name: "mcp-gateway plugin runtime",
    setup(build) {
      for (const [specifier, exports] of Object.entries(modules))
        build.module(specifier, () => ({ exports, loader: "object" }));
    },
  });
}
