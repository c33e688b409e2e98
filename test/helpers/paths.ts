// Where the repository and the gateway's entry point are, for tests that run the CLI from source
// the way a user does (`bun src/main.ts …`), from any working directory.
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "../..");
export const MAIN = join(ROOT, "src/main.ts");
/** The bun running the tests, so the gateway runs on the same version. */
export const BUN = process.execPath;
