/**
 * What scripts/release.ts writes (host target only): assets, SHA256SUMS, the npm packages'
 * manifests and modes; and the archive writers read back by the system's tar and unzip.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { sha256, tarGz, zip } from "../../scripts/release/archive.ts";
import { mainManifest, platformManifest } from "../../scripts/release/npm.ts";
import { pickTargets, TARGETS } from "../../scripts/release/targets.ts";
import { tempDir } from "../helpers/tmp.ts";
import { hostRelease, type Release, run, SLOW, VERSION } from "./helpers.ts";
import { manifestOf } from "./registry.ts";

let release: Release;

beforeAll(async () => {
  release = await hostRelease();
}, 300_000);

describe("scripts/release.ts --targets host", () => {
  test("writes the asset, install.sh and a SHA256SUMS that matches them", () => {
    const names = readdirSync(release.releaseDir).sort();
    expect(names).toEqual(["SHA256SUMS", "install.sh", release.target.asset].sort());
    const sums = readFileSync(join(release.releaseDir, "SHA256SUMS"), "utf8");
    for (const name of names.filter((n) => n !== "SHA256SUMS")) {
      expect(sums).toContain(`${sha256(readFileSync(join(release.releaseDir, name)))}  ${name}\n`);
    }
  });

  test(
    "the asset holds one executable, mcp-gateway",
    async () => {
      const r = await run(["tar", "-tvzf", release.asset]);
      const lines = r.stdout.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^-rwxr-xr-x .* mcp-gateway$/);
    },
    SLOW,
  );

  test(
    "npm packages: bins, optionalDependencies on all six, os/cpu/libc, no install scripts",
    async () => {
      const main = manifestOf(readFileSync(release.mainTgz));
      expect(main).toMatchObject({
        name: "mcp-unify",
        version: VERSION,
        bin: { "mcp-gateway": "bin/mcp-gateway.js", "mcp-unify": "bin/mcp-gateway.js" },
      });
      expect(main.optionalDependencies).toEqual(
        Object.fromEntries(TARGETS.map((t) => [`mcp-unify-${t.id}`, VERSION])),
      );
      expect(main.scripts).toBeUndefined();

      const platform = manifestOf(readFileSync(release.platformTgz));
      expect(platform).toMatchObject(platformManifest(pkg, release.target));
      expect(platform.scripts).toBeUndefined();
      const listing = await run(["tar", "-tvzf", release.platformTgz]);
      expect(listing.stdout).toMatch(
        new RegExp(`^-rwxr-xr-x .* package/bin/${release.target.exe}$`, "m"),
      );
    },
    SLOW,
  );

  test("each platform package is chosen by os, cpu and (on Linux) libc", () => {
    const fields = TARGETS.map((t) => {
      const m = platformManifest({ version: VERSION }, t);
      return [m.name, m.os, m.cpu, m.libc];
    });
    expect(fields).toEqual([
      ["mcp-unify-linux-x64", ["linux"], ["x64"], ["glibc"]],
      ["mcp-unify-linux-arm64", ["linux"], ["arm64"], ["glibc"]],
      ["mcp-unify-linux-x64-musl", ["linux"], ["x64"], ["musl"]],
      ["mcp-unify-darwin-x64", ["darwin"], ["x64"], undefined],
      ["mcp-unify-darwin-arm64", ["darwin"], ["arm64"], undefined],
      ["mcp-unify-windows-x64", ["win32"], ["x64"], undefined],
    ]);
    expect(Object.keys(mainManifest({ version: VERSION }))).not.toContain("scripts");
  });

  test("--targets accepts all, host and ids, and names the choices when it does not", () => {
    expect(pickTargets("all")).toHaveLength(6);
    expect(pickTargets("host")).toEqual([release.target]);
    expect(pickTargets("linux-arm64,windows-x64").map((t) => t.asset)).toEqual([
      "mcp-gateway-linux-arm64.tar.gz",
      "mcp-gateway-windows-x64.zip",
    ]);
    expect(() => pickTargets("freebsd-x64")).toThrow(/one of: all, host, linux-x64/);
  });
});

describe("archive writers", () => {
  const data = new TextEncoder().encode("#!/bin/sh\necho hello\n".repeat(50));
  const deep = `package/${"very-long-folder-name/".repeat(6)}file.js`;

  test(
    "tar.gz: system tar lists modes and long paths, and extracts the bytes",
    async () => {
      using tmp = tempDir("mcp-gateway-tar-");
      const file = join(tmp.path, "a.tar.gz");
      writeFileSync(
        file,
        tarGz(
          [
            { name: "mcp-gateway", data, mode: 0o755 },
            { name: deep, data, mode: 0o644 },
          ],
          1_700_000_000,
        ),
      );
      const listed = await run(["tar", "-tvzf", file]);
      expect(listed.stdout).toMatch(/^-rwxr-xr-x .* mcp-gateway$/m);
      expect(listed.stdout).toContain(deep);
      expect((await run(["tar", "-xzf", file, "-C", tmp.path])).code).toBe(0);
      expect(readFileSync(join(tmp.path, deep))).toEqual(Buffer.from(data));
    },
    SLOW,
  );

  test.skipIf(!Bun.which("unzip"))(
    "zip: unzip keeps the executable bit and the bytes",
    async () => {
      using tmp = tempDir("mcp-gateway-zip-");
      const file = join(tmp.path, "a.zip");
      writeFileSync(file, zip([{ name: "mcp-gateway.exe", data, mode: 0o755 }]));
      const info = await run(["unzip", "-Z", file]);
      expect(info.stdout).toMatch(/^-rwxr-xr-x .* mcp-gateway\.exe$/m);
      const tested = await run(["unzip", "-t", file]);
      expect(tested.stdout).toContain("No errors detected");
      expect((await run(["unzip", "-q", file, "-d", tmp.path])).code).toBe(0);
      expect(readFileSync(join(tmp.path, "mcp-gateway.exe"))).toEqual(Buffer.from(data));
    },
    SLOW,
  );
});
