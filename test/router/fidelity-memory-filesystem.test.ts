// Fidelity: @modelcontextprotocol/server-memory and -filesystem seen directly and through one
// gateway (stdio CLI) must be the same apart from the name prefix. Filesystem also proves that a
// backend's roots/list reaches the client: its allowed folder comes only from the client's roots.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MAIN } from "../helpers/paths.ts";
import { killTree, waitFor } from "../helpers/proc.ts";
import {
  callTool,
  connectStdio,
  type LooseResult,
  listAll,
  type StdioConnection,
} from "../helpers/sdk.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";

const pkg = (name: string) =>
  fileURLToPath(new URL(`../../node_modules/@modelcontextprotocol/${name}`, import.meta.url));
const MEMORY = pkg("server-memory/dist/index.js");
const FILESYSTEM = pkg("server-filesystem/dist/index.js");

// A 1×1 PNG and a tiny WAV header: enough for image and audio content.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);
const WAV = Buffer.from("RIFF$\u0000\u0000\u0000WAVEfmt data", "latin1");

let dir: TempDir;
let files: string; // the folder the filesystem server may use, given to it only as a root
let direct: { memory: StdioConnection; filesystem: StdioConnection };
let gw: StdioConnection;

beforeAll(async () => {
  dir = tempDir("fidelity-mem-fs-");
  files = realpathSync(dir.path);
  files = join(files, "files");
  const decoy = join(dir.path, "decoy"); // on the command line; replaced by the client's roots
  mkdirSync(join(files, "sub"), { recursive: true });
  mkdirSync(decoy);
  writeFileSync(join(files, "a.txt"), "line 1\nline 2\nline 3\n");
  writeFileSync(join(files, "sub", "b.md"), "# B\n");
  writeFileSync(join(files, "pixel.png"), PNG);
  writeFileSync(join(files, "beep.wav"), WAV);
  writeFileSync(join(files, "data.bin"), Buffer.from([0, 1, 2, 3, 255]));
  const roots = () => ({ roots: [{ uri: pathToFileURL(files).href, name: "files" }] });
  const config = join(dir.path, "gateway.yaml");
  writeFileSync(
    config,
    JSON.stringify({
      servers: {
        memory: {
          command: process.execPath,
          args: [MEMORY],
          env: { MEMORY_FILE_PATH: join(dir.path, "memory-gw.jsonl") },
        },
        filesystem: { command: process.execPath, args: [FILESYSTEM, decoy] },
      },
    }),
  );
  const [memory, filesystem, gateway] = await Promise.all([
    connectStdio(process.execPath, [MEMORY], {
      env: { MEMORY_FILE_PATH: join(dir.path, "memory-direct.jsonl") },
    }),
    connectStdio(process.execPath, [FILESYSTEM, decoy], { handlers: { roots } }),
    connectStdio(process.execPath, [MAIN, "stdio", "--config", config], {
      env: { XDG_CACHE_HOME: dir.path },
      handlers: { roots },
    }),
  ]);
  direct = { memory, filesystem };
  gw = gateway;
  for (const name of ["memory", "filesystem"]) {
    const r = await callTool(gw.client, `_${name}_connect`);
    expect(r.isError).toBeUndefined();
  }
});

afterAll(async () => {
  for (const c of [direct?.memory, direct?.filesystem, gw]) {
    if (!c) continue;
    await c.close().catch(() => {});
    await killTree(c.pid);
  }
  dir?.cleanup();
});

type Server = "memory" | "filesystem";

async function same(server: Server, name: string, args: Record<string, unknown> = {}) {
  const a = await callTool(direct[server].client, name, args);
  const b = await callTool(gw.client, `${server}_${name}`, args);
  expect(b).toEqual(a);
  return b;
}

const texts = (r: LooseResult) =>
  ((r.content as { text?: string }[]) ?? []).map((c) => c.text ?? "").join("\n");

for (const server of ["memory", "filesystem"] as const) {
  describe(`server-${server} through the gateway`, () => {
    for (const method of [
      "tools/list",
      "prompts/list",
      "resources/list",
      "resources/templates/list",
    ] as const) {
      test(`${method}: every definition deep-equal apart from the prefix`, async () => {
        const caps = direct[server].client.getServerCapabilities() ?? {};
        const theirs =
          (method.startsWith("resources") && !caps.resources) ||
          (method === "prompts/list" && !caps.prompts)
            ? []
            : await listAll(direct[server].client, method);
        const mine = (await listAll(gw.client, method)).filter((d) =>
          String(d.name).startsWith(`${server}_`),
        );
        expect(mine).toEqual(theirs.map((d) => ({ ...d, name: `${server}_${d.name}` })));
        if (method === "tools/list") expect(theirs.length).toBeGreaterThan(5);
      });
    }
  });
}

describe("server-memory calls", () => {
  test("create, relate, observe, search, read: results deep-equal (structuredContent too)", async () => {
    const entities = [
      { name: "Ada", entityType: "person", observations: ["wrote programs"] },
      { name: "Engine", entityType: "machine", observations: ["analytical"] },
    ];
    const created = await same("memory", "create_entities", { entities });
    expect(created.structuredContent).toBeDefined();
    await same("memory", "create_relations", {
      relations: [{ from: "Ada", to: "Engine", relationType: "programmed" }],
    });
    await same("memory", "add_observations", {
      observations: [{ entityName: "Ada", contents: ["born 1815"] }],
    });
    await same("memory", "search_nodes", { query: "Ada" });
    await same("memory", "open_nodes", { names: ["Engine"] });
    const graph = await same("memory", "read_graph");
    expect(texts(graph)).toContain("born 1815");
  });

  test("a backend error result (isError) passes on unchanged", async () => {
    const r = await same("memory", "add_observations", {
      observations: [{ entityName: "Nobody", contents: ["x"] }],
    });
    expect(r.isError).toBe(true);
  });
});

describe("server-filesystem calls", () => {
  test("the client's roots reached the backend through the gateway (roots/list relayed)", async () => {
    for (const c of [direct.filesystem.client, gw.client]) {
      const name =
        c === gw.client ? "filesystem_list_allowed_directories" : "list_allowed_directories";
      await waitFor(async () => texts(await callTool(c, name)).includes(files), {
        message: `${name} to show the root ${files}`,
      });
    }
    await same("filesystem", "list_allowed_directories");
  });

  test("text reads, listings, trees and searches are deep-equal", async () => {
    await same("filesystem", "read_text_file", { path: join(files, "a.txt") });
    await same("filesystem", "read_text_file", { path: join(files, "a.txt"), head: 2 });
    await same("filesystem", "read_multiple_files", {
      paths: [join(files, "a.txt"), join(files, "sub", "b.md")],
    });
    await same("filesystem", "list_directory", { path: files });
    await same("filesystem", "list_directory_with_sizes", { path: files, sortBy: "size" });
    await same("filesystem", "directory_tree", { path: files });
    await same("filesystem", "search_files", { path: files, pattern: "*.md" });
  });

  test("image, audio and embedded-resource content are deep-equal", async () => {
    const image = await same("filesystem", "read_media_file", { path: join(files, "pixel.png") });
    const audio = await same("filesystem", "read_media_file", { path: join(files, "beep.wav") });
    const blob = await same("filesystem", "read_media_file", { path: join(files, "data.bin") });
    const type = (r: LooseResult) => (r.content as { type: string }[])[0]?.type;
    expect([type(image), type(audio), type(blob)]).toEqual(["image", "audio", "resource"]);
  });

  test("writes and edits answer the same; a path outside the roots is the same error", async () => {
    const path = join(files, "new.txt");
    await same("filesystem", "write_file", { path, content: "one\ntwo\n" });
    await same("filesystem", "edit_file", {
      path,
      edits: [{ oldText: "two", newText: "three" }],
      dryRun: true,
    });
    const outside = await same("filesystem", "read_text_file", { path: "/etc/hostname" });
    expect(outside.isError).toBe(true);
  });
});
