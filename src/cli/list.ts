import { defineCommand } from "citty";
import type { ListReport } from "../gateway.ts";
import { globalArgs } from "./argv.ts";
import { configArg, guard, openGateway, roleArg } from "./common.ts";
import { writeOut } from "./output.ts";

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

/** The human form of `list`: servers, then the tool names the role sees. */
export function formatList(report: ListReport): string {
  const lines: string[] = [];
  if (report.servers.length === 0) lines.push("No servers configured.");
  else {
    const rows = report.servers.map((s) => [s.name, s.kind, s.state, s.source, String(s.tools)]);
    lines.push(...table([["SERVER", "KIND", "STATE", "SCHEMAS", "TOOLS"], ...rows]));
  }
  lines.push("", report.role === undefined ? "TOOLS" : `TOOLS (role ${report.role})`);
  for (const t of report.tools) {
    const mapped = t.server !== undefined && t.original !== undefined && t.original !== t.name;
    lines.push(mapped ? `${t.name} -> ${t.server}: ${t.original}` : t.name);
  }
  if (report.tools.length === 0) lines.push("(none)");
  return `${lines.join("\n")}\n`;
}

/** `mcp-gateway list`: what the gateway would expose, without serving. */
export default defineCommand({
  meta: { name: "list", description: "Show servers and the tools a role sees" },
  args: {
    config: configArg,
    role: roleArg,
    refresh: { type: "boolean", description: "Start each enabled server once to fill the cache" },
    json: { type: "boolean", description: "Print the report as JSON" },
    ...globalArgs,
  },
  async run({ args }) {
    const gw = await openGateway(args);
    await guard(gw, async () => {
      try {
        const report = await gw.list({ refresh: args.refresh === true });
        await writeOut(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatList(report));
      } finally {
        await gw.close();
      }
    });
  },
});
