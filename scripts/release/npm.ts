/**
 * The npm packages, the way esbuild and Bun ship: one package per platform holding the binary
 * (`os`/`cpu`/`libc` let npm and bun install only the matching one), and the main package
 * `mcp-unify` with a small launcher and those packages as optionalDependencies. No install
 * scripts anywhere.
 *
 * The main package also carries src/ and its dependencies: that is the programmatic API
 * (`import { MCPGateway } from "mcp-unify"`), and the launcher runs it with Bun on a platform
 * without a binary.
 */
import { chmod, copyFile, cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MAIN_PACKAGE, TARGETS, type Target } from "./targets.ts";

export interface RootPackage {
  version: string;
  description?: string;
  license?: string;
  keywords?: string[];
  engines?: Record<string, string>;
  exports?: unknown;
  dependencies?: Record<string, string>;
}

/** `repository` for provenance: from GITHUB_REPOSITORY when the release runs in Actions. */
function repository(): Record<string, unknown> {
  const repo = process.env.GITHUB_REPOSITORY;
  return repo ? { repository: { type: "git", url: `git+https://github.com/${repo}.git` } } : {};
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function platformManifest(root: RootPackage, t: Target): Record<string, unknown> {
  return {
    name: t.npmName,
    version: root.version,
    description: `The ${t.id} binary of ${MAIN_PACKAGE} (mcp-gateway). Install ${MAIN_PACKAGE}, not this.`,
    license: root.license,
    ...repository(),
    os: [t.os],
    cpu: [t.cpu],
    ...(t.libc ? { libc: [t.libc] } : {}),
    files: [`bin/${t.exe}`],
    preferUnplugged: true,
  };
}

export function mainManifest(root: RootPackage): Record<string, unknown> {
  return {
    name: MAIN_PACKAGE,
    version: root.version,
    description: root.description,
    license: root.license,
    keywords: root.keywords,
    ...repository(),
    type: "module",
    bin: { "mcp-gateway": "bin/mcp-gateway.js", [MAIN_PACKAGE]: "bin/mcp-gateway.js" },
    exports: root.exports,
    files: ["bin", "src", "schema"],
    engines: root.engines,
    dependencies: root.dependencies,
    // Every platform, whichever targets this run built: the published set is always complete.
    optionalDependencies: Object.fromEntries(TARGETS.map((t) => [t.npmName, root.version])),
  };
}

export async function stagePlatform(
  root: RootPackage,
  t: Target,
  binary: string,
  stage: string,
): Promise<string> {
  const dir = join(stage, t.npmName);
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, "bin"), { recursive: true });
  const exe = join(dir, "bin", t.exe);
  await copyFile(binary, exe);
  await chmod(exe, 0o755);
  await writeFile(join(dir, "package.json"), json(platformManifest(root, t)));
  const readme = await readFile(join(import.meta.dir, "../../npm/platform-README.md"), "utf8");
  await writeFile(
    join(dir, "README.md"),
    readme.replaceAll("{{name}}", t.npmName).replaceAll("{{target}}", t.id),
  );
  return dir;
}

export async function stageMain(root: RootPackage, repo: string, stage: string): Promise<string> {
  const dir = join(stage, MAIN_PACKAGE);
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, "bin"), { recursive: true });
  await copyFile(join(repo, "npm/launcher.js"), join(dir, "bin/mcp-gateway.js"));
  await chmod(join(dir, "bin/mcp-gateway.js"), 0o755);
  await cp(join(repo, "src"), join(dir, "src"), { recursive: true });
  await cp(join(repo, "schema"), join(dir, "schema"), { recursive: true });
  await copyFile(join(repo, "README.md"), join(dir, "README.md"));
  await writeFile(join(dir, "package.json"), json(mainManifest(root)));
  return dir;
}

/** `npm pack` of a staged folder into `out`; returns the tarball's path. */
export async function pack(dir: string, out: string): Promise<string> {
  await mkdir(out, { recursive: true });
  const proc = Bun.spawn(["npm", "pack", "--json", "--pack-destination", out], {
    cwd: dir,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(`npm pack in ${dir} exited ${code}:\n${stderr}`);
  const [info] = JSON.parse(stdout) as { filename: string }[];
  if (!info) throw new Error(`npm pack in ${dir} printed no file name`);
  return join(out, info.filename);
}
