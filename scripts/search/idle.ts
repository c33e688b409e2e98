// Idle RSS with the bench's ten servers configured (schemas cached, none started), per tool_search
// mode: what a gateway that lists tools but never searches costs. `--baseline BIN` adds another
// build (e.g. main's binary) for comparison.
import { appendFileSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { initialize, spawnRpc } from "../../test/helpers/rpc.ts";
import { setupTen } from "../bench/extras.ts";
import { gatewayCommand, treeRssMb } from "./gateway.ts";

const ROUNDS = Number(process.env.IDLE_ROUNDS ?? 5);
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? Number.NaN;

export async function round(cmd: string[], config: string, env: Record<string, string>) {
  const [bin, ...args] = cmd;
  const rpc = spawnRpc(bin as string, [...args, "stdio", "--config", config], {
    env,
    timeout: 60_000,
  });
  try {
    await initialize(rpc);
    const list = await rpc.request("tools/list");
    await Bun.sleep(1000);
    return { rss: treeRssMb(rpc.pid), tools: ((list.result?.tools ?? []) as unknown[]).length };
  } finally {
    rpc.close();
    await Promise.race([rpc.exited, Bun.sleep(10_000)]);
    rpc.kill("SIGKILL");
  }
}

/** One line per variant: median idle RSS over ROUNDS gateways, and what tools/list held. */
export async function idleRss(dir: string): Promise<string[]> {
  const { cmd, label } = gatewayCommand();
  const ten = await setupTen(cmd, join(dir, "ten"));
  const variants: [string, string[], string][] = [];
  const i = process.argv.indexOf("--baseline");
  const baseline = i > 0 ? process.argv[i + 1] : undefined;
  if (baseline) variants.push([`baseline ${baseline}`, [baseline], ten.config]);
  for (const mode of ["off", "auto", "on"]) {
    const config = join(dir, "ten", `gateway-${mode}.yaml`);
    copyFileSync(ten.config, config);
    appendFileSync(config, `tool_search:\n  mode: ${mode}\n`);
    variants.push([
      `${label}, tool_search.mode ${mode}${mode === "auto" ? " (the default)" : ""}`,
      cmd,
      config,
    ]);
  }
  const out: string[] = [];
  for (const [name, c, config] of variants) {
    const rs = [];
    for (let r = 0; r < ROUNDS; r++) rs.push(await round(c, config, ten.env));
    out.push(
      `Ten servers configured, none started, no search (${name}): idle RSS ${median(rs.map((x) => x.rss)).toFixed(1)} MB (median of ${ROUNDS}), tools/list ${rs[0]?.tools} tools`,
    );
  }
  return out;
}
