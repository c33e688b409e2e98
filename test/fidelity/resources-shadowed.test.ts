// Two servers listing the same resource URIs (an MCP Apps `ui://` widget, a document, a template):
// through the gateway both servers' resources are listed and readable — the first server's under
// the URI, the second's under its alias `scheme://<server>@…` — each tool's `_meta.ui.resourceUri`
// leads to its own server's widget, subscriptions are kept per server and URI, and one warning
// names both servers.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fileURLToPath } from "node:url";
import { initialize, type RpcProcess } from "../helpers/rpc.ts";
import { must, Scene } from "./harness.ts";

const APPS = fileURLToPath(new URL("./apps-server.ts", import.meta.url));
let scene: Scene;
let gw: RpcProcess;

beforeAll(async () => {
  scene = new Scene();
  scene.writeConfig({
    servers: {
      a: { command: process.execPath, args: [APPS, "A"] },
      b: { command: process.execPath, args: [APPS, "B"] },
    },
  });
  gw = scene.stdio();
  await initialize(gw);
  for (const s of ["a", "b"])
    must(await gw.request("tools/call", { name: `_${s}_connect`, arguments: {} }));
});

afterAll(async () => {
  await scene?.cleanup();
});

const read = async (uri: string) => must(await gw.request("resources/read", { uri })).contents;

describe("two servers, the same resource URIs", () => {
  test("both servers' resources and templates are listed: the second's under its alias", async () => {
    const uris = (must(await gw.request("resources/list", {})).resources as { uri: string }[]).map(
      (r) => r.uri,
    );
    expect(uris).toEqual([
      "ui://widget/app.html",
      "shared://doc",
      "ui://b@widget/app.html",
      "shared://b@doc",
    ]);
    const templates = must(await gw.request("resources/templates/list", {})).resourceTemplates as {
      uriTemplate: string;
      name: string;
    }[];
    expect(templates).toEqual([
      { uriTemplate: "shared://item/{id}", name: "a_item" },
      { uriTemplate: "shared://b@item/{id}", name: "b_item" },
    ]);
  });

  test("each is read from its own server; the contents carry the URI the client asked for", async () => {
    expect(await read("shared://doc")).toEqual([
      { uri: "shared://doc", mimeType: "text/plain", text: "A: shared://doc" },
    ]);
    expect(await read("shared://b@doc")).toEqual([
      { uri: "shared://b@doc", mimeType: "text/plain", text: "B: shared://doc" },
    ]);
    expect(await read("shared://item/7")).toMatchObject([{ text: "A: shared://item/7" }]);
    expect(await read("shared://b@item/7")).toEqual([
      { uri: "shared://b@item/7", mimeType: "text/plain", text: "B: shared://item/7" },
    ]);
    const unknown = await gw.request("resources/read", { uri: "shared://c@doc" });
    expect(unknown.error?.code).toBe(-32002);
  });

  test("MCP Apps: each tool's ui resourceUri leads to its own server's widget", async () => {
    const tools = must(await gw.request("tools/list", {})).tools as {
      name: string;
      _meta?: { ui?: { resourceUri?: string }; "ui/resourceUri"?: string };
    }[];
    const uiOf = (name: string) => tools.find((t) => t.name === name)?._meta;
    expect(uiOf("a_show")).toEqual({
      ui: { resourceUri: "ui://widget/app.html" },
      "ui/resourceUri": "ui://widget/app.html",
    });
    expect(uiOf("b_show")).toEqual({
      ui: { resourceUri: "ui://b@widget/app.html" },
      "ui/resourceUri": "ui://b@widget/app.html",
    });
    for (const [tool, who] of [
      ["a_show", "A"],
      ["b_show", "B"],
    ] as const) {
      const uri = String(uiOf(tool)?.ui?.resourceUri);
      expect(uri.startsWith("ui://")).toBe(true);
      expect(await read(uri)).toEqual([
        { uri, mimeType: "text/html;profile=mcp-app", text: `${who}: ui://widget/app.html` },
      ]);
    }
  });

  test("subscriptions are per server and URI: each update names the URI its subscriber used", async () => {
    for (const uri of ["shared://doc", "shared://b@doc", "ui://b@widget/app.html"])
      must(await gw.request("resources/subscribe", { uri }));
    const updated = (uri: string) =>
      gw.waitForMessage(
        (m) => m.method === "notifications/resources/updated" && m.params?.uri === uri,
      );
    const count = (uri: string) =>
      gw.messages.filter(
        (m) => m.method === "notifications/resources/updated" && m.params?.uri === uri,
      ).length;
    must(await gw.request("tools/call", { name: "b_touch", arguments: { uri: "shared://doc" } }));
    await updated("shared://b@doc");
    must(await gw.request("tools/call", { name: "a_touch", arguments: { uri: "shared://doc" } }));
    await updated("shared://doc");
    expect(count("shared://doc")).toBe(1); // b's update did not reach a's subscription
    // Unsubscribed from b's copy: b's next update of it goes nowhere; b's app update still comes
    // (after it, from the same backend, in order).
    must(await gw.request("resources/unsubscribe", { uri: "shared://b@doc" }));
    must(await gw.request("tools/call", { name: "b_touch", arguments: { uri: "shared://doc" } }));
    must(
      await gw.request("tools/call", {
        name: "b_touch",
        arguments: { uri: "ui://widget/app.html" },
      }),
    );
    await updated("ui://b@widget/app.html");
    expect(count("shared://b@doc")).toBe(1);
    expect(count("shared://doc")).toBe(1);
  });

  test("one warning names both servers, once per URI", () => {
    const warned = gw.stderrText();
    const line = 'resource "shared://doc" of server "b" is also listed by server "a"';
    expect(warned.split(line).length - 1).toBe(1);
    expect(warned).toContain('exposed as "shared://b@doc"');
  });
});
