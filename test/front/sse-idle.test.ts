// Bun.serve closes connections idle for 10 s: both fronts' GET streams must outlive a quiet
// spell longer than that (keep-alive comments) and still deliver. One test: it is slow by nature.
import { afterAll, expect, test } from "bun:test";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { tool } from "../../src/plugin.ts";
import { waitFor } from "../helpers/proc.ts";
import { type Connected, httpClient, type Served, serve, sseClient } from "./http-harness.ts";

const IDLE_MS = 12_000;
let served: Served | undefined;
const clients: Connected[] = [];

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await served?.close();
});

test(
  "GET streams idle for 12 s stay open and still deliver a notification",
  async () => {
    served = await serve(() => ({}));
    const s = served;
    clients.push(await httpClient(s.url), await sseClient(s.base));
    const seen = clients.map(() => 0);
    clients.forEach((c, i) => {
      c.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
        seen[i] = (seen[i] ?? 0) + 1;
      });
    });
    // The Streamable HTTP client opens its GET stream after initialization, in the background.
    await waitFor(() => clients.every((c) => c.gets() === 1), { message: "both GET streams open" });
    // The quiet spell itself is what is under test, so this one wait is a plain sleep.
    await Bun.sleep(IDLE_MS);
    s.gw.registerTool(
      tool({ description: "Added late" }, () => "late"),
      "late_tool",
    );
    await waitFor(() => seen.every((n) => n === 1), { message: "list_changed on both streams" });
    // Still the first stream of each client: nothing was cut and reopened.
    expect(clients.map((c) => c.gets())).toEqual([1, 1]);
    expect(clients.flatMap((c) => c.errors)).toEqual([]);
  },
  IDLE_MS + 20_000,
);
