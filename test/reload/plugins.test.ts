// Issue 14, plugins: a plugin module (or a local file it imports) edited on disk is picked up by
// the watcher and imported afresh; a plugin that no longer loads changes nothing; a new plugin in
// the list is loaded; backend calls in flight meanwhile are untouched.
import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RawClient } from "../reliability/raw.ts";
import {
  Held,
  notifications,
  pidOf,
  ReloadScene,
  reloaded,
  server,
  status,
  textOf,
} from "./harness.ts";

const scenes: ReloadScene[] = [];
afterEach(async () => {
  for (const s of scenes.splice(0)) await s.cleanup();
});

const plugin = (description: string, extra = "") => `import { tool, z } from "mcp-gateway";
import { greeting } from "./helper.ts";

export const hello = tool(
  { description: ${JSON.stringify(description)}, input: { name: z.string() } },
  ({ name }) => \`\${greeting} \${name}\`,
);
${extra}`;

const tools = async (gw: RawClient) =>
  (await gw.request("tools/list")).result?.tools as { name: string; description: string }[];

describe("plugins", () => {
  test("edited on disk, a plugin is imported afresh: its own file and the files it imports", async () => {
    const s = new ReloadScene();
    scenes.push(s);
    const file = (name: string) => join(s.dir.path, name);
    writeFileSync(file("helper.ts"), 'export const greeting = "hello";\n');
    writeFileSync(file("tools.ts"), plugin("first"));
    const servers = { a: server(), b: server() };
    s.write({ servers, plugins: [{ module: "./tools.ts" }] });
    const gw = await s.stdio();
    expect(textOf(await gw.call("hello", { name: "bob" }))).toBe("hello bob");
    await gw.call("_a_connect");
    await gw.call("_b_connect");
    const pids = { a: await pidOf(gw, "a_pid"), b: await pidOf(gw, "b_pid") };
    const held = new Held(gw).start(["a_sample", "b_sample"]);
    await held.inFlight();

    // The module itself: a new description and a new tool.
    let before = await status(gw);
    const mark = gw.messages().length;
    writeFileSync(
      file("tools.ts"),
      plugin("second", 'export const bye = tool({ description: "Bye" }, () => "bye");\n'),
    );
    let after = await reloaded(gw, before, "the plugin edit");
    expect(after.config.last_reload).toMatchObject({ ok: true, changes: ["plugins reloaded"] });
    expect(after.plugins.sort()).toEqual(["bye", "hello"]);
    expect(notifications(gw, mark)).toContain("notifications/tools/list_changed");
    expect((await tools(gw)).find((t) => t.name === "hello")?.description).toBe("second");
    expect(textOf(await gw.call("bye"))).toBe("bye");

    // A file the module imports.
    before = after;
    writeFileSync(file("helper.ts"), 'export const greeting = "hi";\n');
    after = await reloaded(gw, before, "the helper edit");
    expect(after.config.last_reload?.ok).toBe(true);
    expect(textOf(await gw.call("hello", { name: "bob" }))).toBe("hi bob");

    // A broken edit: the running plugin stays, and says so in the status.
    before = after;
    writeFileSync(file("tools.ts"), "export const = ;\n");
    after = await reloaded(gw, before, "the broken edit");
    expect(after.config.last_reload?.ok).toBe(false);
    expect(after.config.last_reload?.error).toContain(`plugin ${file("tools.ts")}: cannot load`);
    expect(textOf(await gw.call("hello", { name: "bob" }))).toBe("hi bob");

    // Fixed, and a second plugin added to the list in the same edit.
    before = after;
    writeFileSync(
      file("more.ts"),
      'import { tool } from "mcp-gateway";\nexport const more = tool({ description: "More" }, () => "more");\n',
    );
    writeFileSync(file("tools.ts"), plugin("third"));
    s.write({ servers, plugins: [{ module: "./tools.ts" }, { module: "./more.ts" }] });
    after = await reloaded(gw, before, "the fixed edit");
    expect(after.config.last_reload?.ok).toBe(true);
    expect(after.plugins.sort()).toEqual(["hello", "more"]);
    expect(textOf(await gw.call("more"))).toBe("more");
    expect((await tools(gw)).find((t) => t.name === "hello")?.description).toBe("third");

    await held.settle();
    held.answeredOnce();
    expect(await pidOf(gw, "a_pid")).toBe(pids.a);
    expect(await pidOf(gw, "b_pid")).toBe(pids.b);
    const { left } = await s.shutdown(gw);
    expect(left).toEqual([]);
  });
});
