// Plugin files as a user writes them, in a temp folder outside the repo with no node_modules:
// `import { tool, z } from "mcp-gateway"` must be served by the gateway itself.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fixtureCommand } from "../helpers/fixture.ts";

export const MATH = `
import { tool, z } from "mcp-gateway";

export const add = tool(
  { description: "Add two numbers", input: { a: z.number(), b: z.number() } },
  ({ a, b }) => a + b,
);

export const fail = tool({ description: "Always throws" }, () => {
  throw new Error("kaboom: plugin failure");
});

export const later = tool(
  { description: "Answers after ms milliseconds", input: { ms: z.number().int().min(0) } },
  async ({ ms }) => {
    await Bun.sleep(ms);
    return \`waited \${ms} ms\`;
  },
);

export const stats = tool(
  {
    name: "number_stats",
    description: "Smallest and largest of some numbers",
    input: { values: z.array(z.number()).min(1) },
    output: { min: z.number(), max: z.number() },
  },
  ({ values }) => ({ min: Math.min(...values), max: Math.max(...values) }),
);

export const notATool = 42;
`;

/** hold waits until release (or until the client cancels it, which leaves a marker file). */
export const GATE = `
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tool, z } from "mcp-gateway";

const marks = process.env.PLUGIN_MARK_DIR ?? "";
const mark = (name, text = "") => marks && writeFileSync(join(marks, name), text);
const waiting = [];

export const hold = tool(
  { description: "Wait until release is called", input: { tag: z.string() } },
  ({ tag }, { signal }) =>
    new Promise((resolve, reject) => {
      waiting.push(() => resolve(\`released \${tag}\`));
      signal.addEventListener("abort", () => {
        mark(\`aborted-\${tag}\`, String(signal.reason));
        reject(signal.reason);
      });
      mark(\`holding-\${tag}\`);
    }),
);

export const release = tool({ description: "Release every held call" }, () => {
  const n = waiting.length;
  for (const go of waiting.splice(0)) go();
  return \`released \${n}\`;
});
`;

/**
 * zod identity as a plugin sees it. instanceof alone proves little (zod 4's Symbol.hasInstance
 * matches a schema of any zod copy by its traits), so the prototypes are compared too.
 */
export const ZOD_CHECK = `
import * as gateway from "mcp-gateway";
import { tool, z } from "mcp-gateway";
import zodDefault, { z as zodNamed } from "zod";
import { z as zodV4 } from "zod/v4";

const fromZodPackage = zodNamed.string().min(1);

export const zod_identity = tool(
  { description: "Which zod this plugin got", input: { text: fromZodPackage } },
  ({ text }) => ({
    text,
    stringIsZodType: z.string() instanceof z.ZodType,
    schemaIsGatewayZodType: fromZodPackage instanceof gateway.z.ZodType,
    sameClass:
      Object.getPrototypeOf(z.string()) === gateway.z.ZodString.prototype &&
      Object.getPrototypeOf(fromZodPackage) === z.ZodString.prototype,
    zodIsGatewayZod: zodNamed === z && zodDefault === z && zodV4 === z,
    decoy: "DECOY" in gateway || "DECOY" in zodNamed,
  }),
);
`;

export const NAMED = `
import { tool, z } from "mcp-gateway";

export default tool(
  { description: "Greets someone", input: { who: z.string() } },
  ({ who }) => \`hello \${who}\`,
);

export const x = tool({ name: "renamed", description: "Named by its name option" }, () => "renamed");
`;

export const SYNTAX_ERROR = `
import { tool, z } from "mcp-gateway";
export const broken = tool({ description: "x", input: { a: z.number() } }, ({ a }) => a +;
`;

export const NO_TOOLS = `export const helper = (n: number) => n * 2;\n`;

export const THROWS_AT_IMPORT = `throw new Error("cannot start: missing API key");\n`;

/** A plugin made with another copy of the module (by path): the gateway says so. */
export const foreignCopy = (index: string) => `
import { tool } from ${JSON.stringify(index)};
export const foreign = tool({ description: "made by another copy" }, () => "foreign");
`;

/** The tsconfig README: Plugins suggests, mapping "mcp-gateway" to the types file. */
export const EDITOR_TSCONFIG = JSON.stringify({
  compilerOptions: {
    module: "Preserve",
    moduleResolution: "bundler",
    strict: true,
    noEmit: true,
    paths: { "mcp-gateway": [join(import.meta.dir, "../../types/mcp-gateway.d.ts")] },
  },
});

/** Packages that must never win over the gateway's own modules. */
export const DECOYS: Record<string, string> = {
  "node_modules/zod/package.json": `{"name":"zod","type":"module","main":"index.js"}`,
  "node_modules/zod/index.js": `export const DECOY = true; export const z = {}; export default z;`,
  "node_modules/mcp-gateway/package.json": `{"name":"mcp-gateway","type":"module","main":"index.js"}`,
  "node_modules/mcp-gateway/index.js": `export const DECOY = true; export const z = {}; export const tool = () => ({});`,
};

/** A plugin published as a package, resolved from the config's folder. */
export const PACKAGE: Record<string, string> = {
  "node_modules/greeter-plugin/package.json": `{"name":"greeter-plugin","type":"module","main":"src/index.ts"}`,
  "node_modules/greeter-plugin/src/index.ts": `
import { tool, z } from "mcp-gateway";
export const greet = tool({ description: "Greets", input: { who: z.string() } }, ({ who }) => \`hi \${who}\`);
`,
};

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** gateway.yaml (as JSON, a subset of YAML) with these plugin modules and the fixture server `fx`. */
export function writeConfig(dir: string, modules: string[], withFixture = false): string {
  const config: Record<string, unknown> = { plugins: modules.map((module) => ({ module })) };
  if (withFixture) config.servers = { fx: fixtureCommand() };
  const file = join(dir, "gateway.yaml");
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}
