// The official MCP conformance suite (server scenarios, active suite) against the conformance
// fixture directly and through the gateway in transparent mode: same verdicts, no failure.
// Skipped when @modelcontextprotocol/conformance is not installed (or $CONFORMANCE_BIN unset).
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/paths.ts";

const BIN = process.env.CONFORMANCE_BIN ?? join(ROOT, "node_modules/.bin/conformance");

test.skipIf(!existsSync(BIN))(
  "conformance suite: the gateway gives the same results as the fixture served directly",
  async () => {
    const proc = Bun.spawn([process.execPath, join(ROOT, "scripts/conformance.ts")], {
      env: { ...process.env, CONFORMANCE_BIN: BIN },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
    ]);
    const code = await proc.exited;
    if (code !== 0) console.error(out, err);
    expect(out).toContain("same results, no failure through the gateway");
    expect(code).toBe(0);
  },
  180_000,
);
