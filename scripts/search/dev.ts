// In-process ranking check on the dev queries only (the ones tuning may look at), with misses.
// Usage: bun scripts/search/dev.ts [--no-wordnet | --wordnet FILE] [--quiet]; RANK='{json}' overrides
// ranking options (RankOptions).
import { readFileSync } from "node:fs";
import { exposedName } from "../../src/names.ts";
import type { ToolEntry } from "../../src/search/doc.ts";
import { DEFAULTS, type RankOptions, ToolIndex } from "../../src/search/tool-index.ts";
import { readWordNet, wordnet } from "../../src/search/wordnet.ts";
import { catalogFiles, devQueries } from "./data.ts";
import { formatRecall, recall } from "./recall.ts";

const tools: ToolEntry[] = [];
for (const c of catalogFiles())
  for (const t of c.tools)
    tools.push({ ...t, name: exposedName(c.server, t.name), original: t.name, server: c.server });

const wnAt = process.argv.indexOf("--wordnet");
const syn = process.argv.includes("--no-wordnet")
  ? undefined
  : wnAt > 0
    ? readWordNet(readFileSync(process.argv[wnAt + 1] as string))
    : wordnet();
const t0 = performance.now();
const opts: RankOptions = { ...DEFAULTS, ...JSON.parse(process.env.RANK ?? "{}") };
const index = new ToolIndex(tools, syn, opts);
const built = performance.now() - t0;
const queries = devQueries();
const answers = new Map<string, string[]>();
const t1 = performance.now();
for (const q of queries)
  answers.set(
    q.id,
    index.search(q.query, 5).hits.map((h) => h.name),
  );
const per = (performance.now() - t1) / queries.length;
const r = recall(queries, answers);
console.log(`${tools.length} tools · index ${built.toFixed(1)} ms · ${per.toFixed(2)} ms/query`);
console.log(formatRecall("dev", r));
if (!process.argv.includes("--quiet"))
  for (const m of r.misses)
    console.log(
      `- [${m.query.kind}] ${m.query.query}\n    gold ${m.query.gold.join(", ")}\n    got  ${m.got.join(", ")}`,
    );
