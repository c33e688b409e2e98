// The conformance suite's tasks extension scenarios (io.modelcontextprotocol/tasks: extension
// scenarios, reported apart from a revision's requirements) against the tasks fixture directly
// and through the gateway: every one that passes directly passes through the gateway.
// Skipped when @modelcontextprotocol/conformance is not installed (or $CONFORMANCE_BIN unset).
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/paths.ts";

const BIN = process.env.CONFORMANCE_BIN ?? join(ROOT, "node_modules/.bin/conformance");

describe.skipIf(!existsSync(BIN))("the tasks extension's conformance scenarios", () => {
  test("direct and through the gateway (stdio backend): the same scenarios pass", async () => {
    const proc = Bun.spawn(
      [process.execPath, join(ROOT, "scripts/conformance.ts"), "--extension", "tasks"],
      {
        env: { ...process.env, CONFORMANCE_BIN: BIN, MCP_GATEWAY_LOG: "warn" },
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    const [out, err] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
    ]);
    const code = await proc.exited;
    if (code !== 0) console.error(out, err);
    expect(code).toBe(0);
    expect(out).toContain("the gateway passes every scenario the server behind it passes");
    const [direct, gateway] =
      /scenarios passed\s+(\d+\/\d+)\s+(\d+\/\d+)/.exec(out)?.slice(1) ?? [];
    expect(direct).toBe("10/10");
    expect(gateway).toBe(direct);
  }, 180_000);
});
