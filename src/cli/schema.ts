import { defineCommand } from "citty";
import { configJsonSchema } from "../config/schema.ts";
import { globalArgs } from "./argv.ts";
import { writeOut } from "./output.ts";

/** `mcp-gateway schema`: the config's JSON Schema, for editors. */
export default defineCommand({
  meta: { name: "schema", description: "Print the JSON Schema of gateway.yaml" },
  args: { ...globalArgs },
  async run() {
    await writeOut(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  },
});
