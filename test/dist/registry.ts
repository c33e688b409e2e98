// A stand-in for the npm registry on 127.0.0.1: GET /<name> answers a packument whose
// dist.tarball points back here, GET /-/tarball/… the tarball. It serves the packed release
// tarballs, plus every package found in the repo's node_modules (packed on demand), so npm and
// bunx can install mcp-unify's dependencies without the network. Anything else is a 404, as the
// real registry answers for the platform packages of the other platforms in these tests.
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Server } from "bun";
import { type Entry, tarGz } from "../../scripts/release/archive.ts";

interface Manifest {
  name: string;
  version: string;
  [key: string]: unknown;
}

interface Version {
  manifest: Manifest;
  /** Packed lazily for local folders; given for release tarballs. */
  tarball: () => Uint8Array<ArrayBuffer>;
}

export interface Registry {
  url: string;
  /** Names asked for (packuments), in order, 404s included. */
  asked: string[];
  stop(): void;
}

/** The package.json inside an npm tarball (`package/package.json`). */
export function manifestOf(tgz: Uint8Array<ArrayBuffer>): Manifest {
  const tar = Bun.gunzipSync(tgz);
  const text = new TextDecoder();
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    const field = (from: number, len: number) =>
      text.decode(header.subarray(from, from + len)).replace(/\0.*$/s, "");
    const name = field(0, 100);
    if (!name) break;
    const prefix = field(345, 155);
    const size = Number.parseInt(field(124, 12).trim() || "0", 8);
    const path = prefix ? `${prefix}/${name}` : name;
    if (path === "package/package.json") {
      return JSON.parse(text.decode(tar.subarray(at + 512, at + 512 + size))) as Manifest;
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error("no package/package.json in tarball");
}

function filesOf(dir: string, root = dir): Entry[] {
  const out: Entry[] = [];
  for (const name of readdirSync(dir)) {
    if (dir === root && name === "node_modules") continue;
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isDirectory()) {
      if (name !== "node_modules") out.push(...filesOf(path, root));
    } else if (st.isFile()) {
      out.push({
        name: `package/${relative(root, path).split("\\").join("/")}`,
        data: readFileSync(path),
        mode: st.mode & 0o111 ? 0o755 : 0o644,
      });
    }
  }
  return out;
}

/** Every package folder under node_modules (nested copies too: other versions of a name). */
function scanNodeModules(dir: string, into: Map<string, Map<string, Version>>): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(".")) continue;
    const path = join(dir, name);
    if (name.startsWith("@")) {
      scanNodeModules(path, into);
      continue;
    }
    let manifest: Manifest;
    try {
      manifest = JSON.parse(readFileSync(join(path, "package.json"), "utf8")) as Manifest;
    } catch {
      continue;
    }
    if (manifest.name && manifest.version) {
      const versions = into.get(manifest.name) ?? new Map<string, Version>();
      let packed: Uint8Array<ArrayBuffer> | undefined;
      const tarball = () => {
        packed ??= tarGz(filesOf(path), 499162500, 1);
        return packed;
      };
      if (!versions.has(manifest.version)) versions.set(manifest.version, { manifest, tarball });
      into.set(manifest.name, versions);
    }
    scanNodeModules(join(path, "node_modules"), into);
  }
}

const compare = (a: string, b: string) => Bun.semver.order(a, b);

/** `tarballs`: files or bytes of npm tarballs; `nodeModules`: a folder to serve packages from. */
export function startRegistry(opts: {
  tarballs: (string | Uint8Array<ArrayBuffer>)[];
  nodeModules?: string;
}): Registry {
  const packages = new Map<string, Map<string, Version>>();
  if (opts.nodeModules) scanNodeModules(opts.nodeModules, packages);
  for (const file of opts.tarballs) {
    const bytes = typeof file === "string" ? readFileSync(file) : file;
    const manifest = manifestOf(bytes);
    // The release wins over anything of the same name found locally.
    packages.set(manifest.name, new Map([[manifest.version, { manifest, tarball: () => bytes }]]));
  }
  const asked: string[] = [];
  const server: Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const url = new URL(req.url);
      const path = decodeURIComponent(url.pathname.slice(1));
      const tarball = /^-\/tarball\/(.+)\/([^/]+)\.tgz$/.exec(path);
      if (tarball) {
        const version = packages.get(tarball[1] ?? "")?.get(tarball[2] ?? "");
        return version
          ? new Response(version.tarball())
          : new Response("not found", { status: 404 });
      }
      asked.push(path);
      const versions = packages.get(path);
      if (!versions) return Response.json({ error: "Not found" }, { status: 404 });
      const base = `http://127.0.0.1:${server.port}`;
      const entries = [...versions.values()].map(({ manifest, tarball }) => {
        const bytes = tarball();
        const dist = {
          tarball: `${base}/-/tarball/${encodeURIComponent(manifest.name)}/${manifest.version}.tgz`,
          shasum: createHash("sha1").update(bytes).digest("hex"),
          integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
        };
        return [manifest.version, { ...manifest, dist }] as const;
      });
      const latest = entries
        .map(([v]) => v)
        .sort(compare)
        .at(-1);
      return Response.json({
        name: path,
        "dist-tags": { latest },
        versions: Object.fromEntries(entries),
      });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/`,
    asked,
    stop: () => server.stop(true),
  };
}
