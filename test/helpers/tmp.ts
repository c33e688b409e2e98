// Temporary folders for tests, always under the OS temp dir and removed by the returned cleanup.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TempDir {
  path: string;
  cleanup(): void;
  [Symbol.dispose](): void;
}

export function tempDir(prefix = "mcp-gateway-test-"): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  const cleanup = () => rmSync(path, { recursive: true, force: true });
  return { path, cleanup, [Symbol.dispose]: cleanup };
}
