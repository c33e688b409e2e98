/**
 * The six release targets and every name derived from one: the `bun build` target, the binary
 * scripts/build.ts writes, the release asset, and the npm platform package with the fields
 * npm and bun use to pick it (`os`, `cpu`, `libc`).
 */
import { existsSync } from "node:fs";

export interface Target {
  /** `linux-x64`, `linux-x64-musl`, …: the suffix shared by every name below. */
  id: string;
  bunTarget: string;
  os: "linux" | "darwin" | "win32";
  cpu: "x64" | "arm64";
  libc?: "glibc" | "musl";
  /** The executable's name inside the asset and the platform package. */
  exe: "mcp-gateway" | "mcp-gateway.exe";
  /** What scripts/build.ts writes into dist/. */
  built: string;
  /** The release asset: `.tar.gz`, or `.zip` for Windows. */
  asset: string;
  /** The npm platform package: unscoped, so publishing needs no npm organisation. */
  npmName: string;
}

function target(id: string, os: Target["os"], cpu: Target["cpu"], libc?: Target["libc"]): Target {
  const windows = os === "win32";
  return {
    id,
    bunTarget: `bun-${id}`,
    os,
    cpu,
    ...(libc ? { libc } : {}),
    exe: windows ? "mcp-gateway.exe" : "mcp-gateway",
    built: `mcp-gateway-${id}${windows ? ".exe" : ""}`,
    asset: `mcp-gateway-${id}${windows ? ".zip" : ".tar.gz"}`,
    npmName: `${MAIN_PACKAGE}-${id}`,
  };
}

export const MAIN_PACKAGE = "mcp-unify";

export const TARGETS: readonly Target[] = [
  target("linux-x64", "linux", "x64", "glibc"),
  target("linux-arm64", "linux", "arm64", "glibc"),
  target("linux-x64-musl", "linux", "x64", "musl"),
  target("darwin-x64", "darwin", "x64"),
  target("darwin-arm64", "darwin", "arm64"),
  target("windows-x64", "win32", "x64"),
];

/** True on a Linux whose C library is musl (Alpine). */
export function hostIsMusl(): boolean {
  if (process.platform !== "linux") return false;
  // Debian's `musl` package adds /lib/ld-musl-*.so.1 to a glibc system, so the loader alone
  // proves nothing: glibc's own loader being there decides first.
  const glibcLoader =
    process.arch === "arm64" ? "/lib/ld-linux-aarch64.so.1" : "/lib64/ld-linux-x86-64.so.2";
  if (existsSync(glibcLoader)) return false;
  return existsSync(`/lib/ld-musl-${process.arch === "arm64" ? "aarch64" : "x86_64"}.so.1`);
}

/** The target whose binary runs here, or undefined on a platform we do not ship for. */
export function hostTarget(): Target | undefined {
  const id = `${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
  return TARGETS.find((t) => t.id === (hostIsMusl() ? `${id}-musl` : id));
}

/** Targets named in a `--targets` value: `all`, `host`, or ids separated by commas. */
export function pickTargets(spec: string): Target[] {
  const picked: Target[] = [];
  for (const name of spec.split(",").map((s) => s.trim())) {
    if (name === "all") picked.push(...TARGETS);
    else if (name === "host") {
      const host = hostTarget();
      if (!host)
        throw new Error(`no release target for this host (${process.platform}-${process.arch})`);
      picked.push(host);
    } else {
      const t = TARGETS.find((x) => x.id === name);
      if (!t)
        throw new Error(
          `unknown target "${name}"; one of: all, host, ${TARGETS.map((x) => x.id).join(", ")}`,
        );
      picked.push(t);
    }
  }
  return [...new Set(picked)];
}
