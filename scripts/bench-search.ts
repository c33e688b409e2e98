// Tool search, measured: tokens served against the full list for the 20-server catalog, recall@1
// and @5 on the dev queries and on the held-out ones (never tuned on), search latency through a
// real stdio gateway, index build time, and RSS. Writes the figures into BENCHMARKS.md.
// Usage: bun run bench:search [--no-write] [--embeddings URL MODEL]   (the last: one more recall
// pass with tool_search.embeddings on, e.g. a local Ollama's http://127.0.0.1:11434/v1)
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { exposedName } from "../src/names.ts";
import { countO200k } from "../src/search/o200k.ts";
import { ToolIndex } from "../src/search/tool-index.ts";
import { wordnet } from "../src/search/wordnet.ts";
import { catalogFiles, devQueries, heldOutQueries, type Query } from "./search/data.ts";
import {
  gatewayCommand,
  type Running,
  servers,
  startStdio,
  warm,
  writeConfig,
} from "./search/gateway.ts";
import { idleRss } from "./search/idle.ts";
import { measureMemory } from "./search/memory.ts";
import { formatRecall, type RecallReport, recall } from "./search/recall.ts";

const say = (s: string) => process.stderr.write(`bench:search: ${s}\n`);
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? Number.NaN;
const pctl = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? Number.NaN;
const dir = mkdtempSync(join(tmpdir(), "bench-search-"));
const files = catalogFiles();
const toolCount = files.reduce((n, f) => n + f.tools.length, 0);
const base = { servers: servers(files, dir) };
const lines: string[] = [];
const out = (s = "") => {
  lines.push(s);
  console.log(s);
};

try {
  say(`${files.length} servers, ${toolCount} tools; gateway: ${gatewayCommand().label}`);
  const off = writeConfig(dir, { ...base, tool_search: { mode: "off" } }, "off");
  const on = writeConfig(dir, { ...base, tool_search: { mode: "on" } }, "on");
  const ei = process.argv.indexOf("--embeddings");
  const embeddings =
    ei > 0
      ? { url: process.argv[ei + 1] as string, model: process.argv[ei + 2] as string }
      : undefined;
  await warm(off, dir);

  // Tokens: the wire's own tools/list, counted with gpt-tokenizer (o200k).
  const full = await startStdio(off, dir);
  const fullTools = ((await full.rpc.request("tools/list")).result?.tools ?? []) as unknown[];
  await full.stop();
  const g = await startStdio(on, dir);
  const servedTools = ((await g.rpc.request("tools/list")).result?.tools ?? []) as unknown[];
  const fullTokens = countTokens(JSON.stringify(fullTools));
  const servedTokens = countTokens(JSON.stringify(servedTools));

  // Recall and latency: every query through gateway_search_tools, twice; the first search of
  // the run (index build, WordNet load) is reported apart; latency is the second pass.
  const dev = devQueries();
  const held = heldOutQueries();
  const all = [...dev, ...held];
  const pass = async (run: Running) => {
    const ask = async (q: Query) => {
      const t = performance.now();
      const r = await run.rpc.request("tools/call", {
        name: "gateway_search_tools",
        arguments: { query: q.query, limit: 5 },
      });
      const ms = performance.now() - t;
      const sc = (r.result?.structuredContent ?? {}) as { tools?: { name: string }[] };
      return { ms, names: (sc.tools ?? []).map((x) => x.name) };
    };
    const first = await ask(all[0] as Query);
    const answers = new Map<string, string[]>([[(all[0] as Query).id, first.names]]);
    for (const q of all.slice(1)) answers.set(q.id, (await ask(q)).names);
    const times: number[] = [];
    for (const q of all) times.push((await ask(q)).ms);
    return { first, answers, times };
  };
  const { first, answers, times } = await pass(g);
  const status = await g.rpc.request("tools/call", { name: "gateway_status", arguments: {} });
  const ts = (status.result?.structuredContent as { tool_search?: { tokens?: { full: number } } })
    ?.tool_search;
  await g.stop();
  let withEmbeddings: ReturnType<typeof recall>[] | undefined;
  if (embeddings) {
    const cfg = writeConfig(dir, { ...base, tool_search: { mode: "on", embeddings } }, "emb");
    const run = await startStdio(cfg, dir);
    const r = await pass(run);
    await run.stop();
    withEmbeddings = [recall(dev, r.answers), recall(held, r.answers)];
  }

  // Index build, in process: the same catalog, first build (cold code) and median of 7.
  const entries = files.flatMap((c) =>
    c.tools.map((t) => ({
      ...t,
      name: exposedName(c.server, t.name),
      original: t.name,
      server: c.server,
    })),
  );
  let t0 = performance.now();
  const wn = wordnet();
  const wordnetMs = performance.now() - t0;
  const builds: number[] = [];
  for (let i = 0; i < 8; i++) {
    t0 = performance.now();
    new ToolIndex(entries, wn);
    builds.push(performance.now() - t0);
  }

  // The token counter: its setup (first count) and a count of every definition, in process.
  t0 = performance.now();
  countO200k("{}");
  const counterMs = performance.now() - t0;
  t0 = performance.now();
  for (const c of files) for (const t of c.tools) countO200k(JSON.stringify(t));
  const countMs = performance.now() - t0;

  const memory = await measureMemory(gatewayCommand().cmd, 1000);
  const idle = await idleRss(dir);
  const binary = join(import.meta.dir, "..", "dist", "mcp-gateway");
  const binaryMb = existsSync(binary) ? statSync(binary).size / 1024 / 1024 : undefined;
  const devR = recall(dev, answers);
  const heldR = recall(held, answers);
  out(
    `Tool search (\`bun run bench:search\`, ${gatewayCommand().label}, one run on a shared 2-core machine; latencies are medians over all queries):`,
  );
  out();
  out(
    `- Catalog: ${files.length} servers, ${toolCount} tools (catalog servers of ours; real server-everything, -memory, -filesystem from npm).`,
  );
  out(
    `- tools/list: **${servedTokens.toLocaleString("en")} o200k tokens** served in search mode (${servedTools.length} tools) against ${fullTokens.toLocaleString("en")} for the full list (${fullTools.length} tools): ${((100 * servedTokens) / fullTokens).toFixed(1)}%. gateway_status says ${ts?.tokens?.full?.toLocaleString("en")} for the full list.`,
  );
  out(
    `- Search latency through the stdio front: p50 **${median(times).toFixed(2)} ms**, p90 ${pctl(times, 0.9).toFixed(2)} ms (${times.length} searches, round trip); the run's first search ${first.ms.toFixed(0)} ms (index build and WordNet load).`,
  );
  out(
    `- Index build (in process, ${entries.length} tools): first ${(builds[0] ?? 0).toFixed(1)} ms, median of the next 7 **${median(builds.slice(1)).toFixed(1)} ms**; WordNet table load ${wordnetMs.toFixed(1)} ms.`,
  );
  out(
    `- o200k token counter (in process): set up in ${counterMs.toFixed(1)} ms (first count), then ${countMs.toFixed(0)} ms to count all ${toolCount} definitions.`,
  );
  const m = memory;
  const at = (n: number) => m.searches.find((x) => x.n === n)?.rss ?? Number.NaN;
  out(
    `- RSS of the gateway in search mode (gateway process alone, \`scripts/search/memory.ts\`): ${m.listed.toFixed(1)} MB after tools/list; ${m.status.toFixed(1)} MB right after the first gateway_status (token counts; ${m.statusMs.toFixed(0)} ms), ${m.settled.toFixed(1)} MB 5 s later (**+${(m.settled - m.listed).toFixed(1)} MB**); after 1, 200 and 1,000 searches ${at(1).toFixed(1)}, ${at(200).toFixed(1)}, ${at(1000).toFixed(1)} MB; ${m.idle.toFixed(1)} MB 5 s after the last.`,
  );
  if (binaryMb) out(`- Binary: dist/mcp-gateway ${binaryMb.toFixed(1)} MB.`);
  for (const l of idle) out(`- ${l}`);
  out();
  out("```");
  for (const l of formatRecall("dev (tuned on)", devR).split("\n")) out(l);
  for (const l of formatRecall("held-out (never tuned on)", heldR).split("\n")) out(l);
  out("```");
  if (withEmbeddings && embeddings) {
    out();
    out(`With tool_search.embeddings (${embeddings.model} at ${embeddings.url}):`);
    out();
    out("```");
    for (const l of formatRecall("dev", withEmbeddings[0] as RecallReport).split("\n")) out(l);
    for (const l of formatRecall("held-out", withEmbeddings[1] as RecallReport).split("\n")) out(l);
    out("```");
  }
  if (!process.argv.includes("--no-write")) {
    const path = join(import.meta.dir, "..", "BENCHMARKS.md");
    const text = readFileSync(path, "utf8");
    const [b, e] = ["<!-- search:begin -->", "<!-- search:end -->"];
    const block = `${b}\n${lines.join("\n")}\n${e}`;
    writeFileSync(
      path,
      text.includes(b)
        ? text.slice(0, text.indexOf(b)) + block + text.slice(text.indexOf(e) + e.length)
        : `${text.trimEnd()}\n\n## Tool search\n\n${block}\n`,
    );
    say("BENCHMARKS.md updated");
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
