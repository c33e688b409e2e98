/**
 * A diagnostic plugin for scripts/bench/heap.ts: it runs inside the gateway, so it can collect the
 * garbage and count what is left. Not for production configs.
 */
import { heapStats } from "bun:jsc";
import { tool, z } from "mcp-gateway";

export const heap_stats = tool(
  {
    description: "Collect garbage, then report the heap's size and its live objects by type",
    input: { snapshot: z.string().optional().describe("Write a heap snapshot to this file") },
  },
  async ({ snapshot }) => {
    const rssBeforeMb = process.memoryUsage.rss() / 1e6;
    Bun.gc(true);
    if (snapshot) await Bun.write(snapshot, JSON.stringify(Bun.generateHeapSnapshot()));
    const s = heapStats();
    return {
      rssBeforeMb,
      rssAfterMb: process.memoryUsage.rss() / 1e6,
      heapMb: s.heapSize / 1e6,
      heapCapacityMb: s.heapCapacity / 1e6,
      extraMb: s.extraMemorySize / 1e6,
      objects: s.objectCount,
      types: s.objectTypeCounts,
    };
  },
);
