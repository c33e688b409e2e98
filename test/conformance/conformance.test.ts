// The official MCP conformance suite (server scenarios, the requirements of each revision) against
// the fixtures directly and through the gateway in transparent mode: every required scenario that
// passes directly passes through the gateway, on both revisions; behind a legacy-only server the
// 2026-07-28 requirements pass but for the bridge's documented limits (scripts/conformance.ts).
// Skipped when @modelcontextprotocol/conformance is not installed (or $CONFORMANCE_BIN unset).
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/paths.ts";

const BIN = process.env.CONFORMANCE_BIN ?? join(ROOT, "node_modules/.bin/conformance");

async function conformance(args: string[]): Promise<string> {
  const proc = Bun.spawn([process.execPath, join(ROOT, "scripts/conformance.ts"), ...args], {
    env: { ...process.env, CONFORMANCE_BIN: BIN, MCP_GATEWAY_LOG: "warn" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  const code = await proc.exited;
  if (code !== 0) console.error(out, err);
  expect(code).toBe(0);
  return out;
}

describe.skipIf(!existsSync(BIN))("conformance suite, direct and through the gateway", () => {
  for (const [revision, fixture, via] of [
    ["2025-11-25", "legacy", "stdio"],
    ["2025-11-25", "dual", "stdio"],
    ["2026-07-28", "dual", "stdio"],
    ["2026-07-28", "dual", "http"],
  ] as const)
    test(`${revision}, ${fixture} fixture, the gateway reaching it over ${via}`, async () => {
      const out = await conformance([
        "--requirements",
        revision,
        "--fixture",
        fixture,
        "--via",
        via,
      ]);
      expect(out).toContain("the gateway passes every scenario the server behind it passes");
      const [direct, gateway] =
        /scenarios passed\s+(\d+\/\d+)\s+(\d+\/\d+)/.exec(out)?.slice(1) ?? [];
      expect(gateway).toBe(direct);
    }, 180_000);

  test("2026-07-28 through the gateway in front of a legacy-only server: all but the bridge's limits", async () => {
    const out = await conformance(["--requirements", "2026-07-28", "--fixture", "legacy"]);
    expect(out).toContain("the gateway passes every scenario the server behind it passes");
    expect(out).toMatch(/scenarios passed\s+—\s+35\/37/);
  }, 180_000);
});
