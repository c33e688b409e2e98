// Where the fixture server lives and how to start it, for configs and spawns in any test.
import { fileURLToPath } from "node:url";

/** Absolute path of test/fixtures/server.ts (safe from any working directory). */
export const FIXTURE_SERVER = fileURLToPath(new URL("../fixtures/server.ts", import.meta.url));

/** The command and args that start the fixture server with `flags`, using this bun. */
export function fixtureCommand(flags: string[] = []): { command: string; args: string[] } {
  return { command: process.execPath, args: [FIXTURE_SERVER, ...flags] };
}
