// A backend's era is probed once (server/discover, then initialize for a legacy one), cached with
// its schemas, and not probed again; a modern backend is spoken to per request, with the envelope.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { Scene } from "../backend/harness.ts";
import { DUAL_ERA_SERVER } from "../conformance/hosts.ts";
import { fixtureCommand } from "../helpers/fixture.ts";
import { markersIn } from "../helpers/proc.ts";
import { textOf } from "../helpers/results.ts";

let scene: Scene;
beforeEach(() => {
  scene = new Scene();
});
afterEach(async () => {
  await scene.cleanup();
});

const cachedEra = (file: string): unknown =>
  (JSON.parse(readFileSync(file, "utf8")) as { info?: { era?: unknown } }).info?.era;

describe("era probe", () => {
  test("a legacy backend is probed once, cached as legacy, and initialized directly afterwards", async () => {
    scene.writeConfig({ servers: { fx: fixtureCommand() } });
    const first = await scene.gateway();
    expect(textOf(await first.call("_fx_connect"))).toContain("fx_echo");
    const [probed] = markersIn(scene.pidDir, "discover-");
    expect(probed).toBeDefined();
    const [file] = scene.cacheFiles();
    expect(cachedEra(file ?? "")).toBe("legacy");
    first.close();
    await first.exited;

    const second = await scene.gateway();
    expect(textOf(await second.call("fx_echo", { text: "two" }))).toContain("two");
    // Two starts, one probe: the second start trusted the cached era.
    expect(scene.starts().length).toBe(2);
    expect(markersIn(scene.pidDir, "discover-")).toEqual([probed ?? ""]);
  }, 30_000);

  test("a dual-era backend is spoken to in the modern era, and cached as modern", async () => {
    scene.writeConfig({
      servers: { dual: { command: process.execPath, args: [DUAL_ERA_SERVER, "--stdio"] } },
    });
    const gw = await scene.gateway();
    expect(textOf(await gw.call("_dual_connect"))).toContain("dual_test_simple_text");
    const res = await gw.call("dual_test_simple_text");
    expect(textOf(res)).toContain("simple text");
    const [file] = scene.cacheFiles();
    expect(cachedEra(file ?? "")).toBe("modern");
    // The result a legacy client gets carries none of the modern era's vocabulary.
    expect(res.result?.resultType).toBeUndefined();
  }, 30_000);
});
