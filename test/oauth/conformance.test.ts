// The conformance suite's client auth scenarios, with the gateway as the client under test
// (test/oauth/conformance-client.ts): every auth scenario the 2025-11-25 revision requires
// must pass. Everything listens on loopback; the suite's servers are its own.
import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/paths.ts";
import { tempDir } from "../helpers/tmp.ts";

const SUITE = join(ROOT, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
const CLIENT = `${process.execPath} ${join(ROOT, "test/oauth/conformance-client.ts")}`;

interface Check {
  id: string;
  status: string;
  description?: string;
}

async function run(args: string[]): Promise<string> {
  const proc = Bun.spawn([process.execPath, SUITE, ...args], { stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 240_000);
  const [out, err] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  await proc.exited;
  clearTimeout(timer);
  return `${out}\n${err}`;
}

test("every auth scenario required by 2025-11-25 passes", async () => {
  const listed = await run(["list", "--requirements", "2025-11-25"]);
  const required = [...listed.matchAll(/^\s+- (auth\/[\w-]+)$/gm)].map((m) => m[1] ?? "");
  expect(required.length).toBeGreaterThanOrEqual(14);
  using out = tempDir("conformance-auth-");
  const log = await run([
    "client",
    "--suite",
    "auth",
    "--spec-version",
    "2025-11-25",
    "--command",
    CLIENT,
    "-o",
    out.path,
  ]);
  const failures: string[] = [];
  const ran = new Set<string>();
  const dir = join(out.path, "auth");
  for (const entry of existsSync(dir) ? readdirSync(dir) : []) {
    const name = `auth/${/^(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry)?.[1] ?? entry}`;
    ran.add(name);
    const checks = JSON.parse(readFileSync(join(dir, entry, "checks.json"), "utf8")) as Check[];
    for (const c of checks)
      if (c.status === "FAILURE" || c.status === "WARNING")
        failures.push(`${name}: ${c.id}: ${c.description ?? ""}`);
  }
  for (const name of required) if (!ran.has(name)) failures.push(`${name}: not run`);
  expect(failures, log.slice(-3000)).toEqual([]);
}, 300_000);
