/** `mcp-gateway reload`: the running `serve` of a config reloads it now (run file, then SIGHUP). */

import { join } from "node:path";
import { defineCommand } from "citty";
import { DEFAULT_FILES, findConfigFile } from "../config/load.ts";
import { errorMessage, GatewayError } from "../errors.ts";
import { findRuns, type RunRecord, readRun, runDir } from "../reload/run-file.ts";
import { globalArgs } from "./argv.ts";
import { configArg } from "./common.ts";
import { writeOut } from "./output.ts";

/** How long a gateway may take to report its reload (plugins to import, a slow disk). */
const WAIT_MS = 15_000;

async function reported(r: RunRecord): Promise<RunRecord | undefined> {
  const file = join(runDir(), `${r.pid}.json`);
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const now = readRun(file);
    if (now && now.attempts > r.attempts) return now;
    await Bun.sleep(50);
  }
  return undefined;
}

export default defineCommand({
  meta: {
    name: "reload",
    description: "Make the running `serve` of a config reload it now, and say how it went",
  },
  args: { config: configArg, ...globalArgs },
  async run({ args }) {
    const file = await findConfigFile({ file: args.config });
    if (!file)
      throw new GatewayError(
        "CONFIG",
        `no config file found (looked for ${DEFAULT_FILES.join(", ")} in ${process.cwd()}); name it with --config`,
      );
    const runs = findRuns(file);
    if (runs.length === 0)
      throw new GatewayError("USAGE", `no running \`mcp-gateway serve\` uses ${file}`);
    const lines: string[] = [];
    const failures: string[] = [];
    await Promise.all(
      runs.map(async (r) => {
        const who = `pid ${r.pid} (${r.url})`;
        try {
          process.kill(r.pid, "SIGHUP");
        } catch (e) {
          failures.push(`${who}: cannot signal it: ${errorMessage(e)}`);
          return;
        }
        const after = await reported(r);
        const o = after?.last;
        if (!o) failures.push(`${who}: no answer within ${WAIT_MS / 1000} s`);
        else if (!o.ok) failures.push(`${who}: reload failed: ${o.error ?? "unknown error"}`);
        else {
          const what = o.changes.length > 0 ? o.changes.join("; ") : "no changes";
          const restart = o.restartNeeded.length
            ? `; needs a restart to apply: ${o.restartNeeded.join(", ")}`
            : "";
          lines.push(`${who}: reloaded, generation ${o.generation}: ${what}${restart}`);
        }
      }),
    );
    if (lines.length > 0) await writeOut(`${lines.join("\n")}\n`);
    // The same located error as `check`, exit 2: the gateway keeps serving its last good config.
    if (failures.length > 0) throw new GatewayError("CONFIG", failures.join("; "));
  },
});
