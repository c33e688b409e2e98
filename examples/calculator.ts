/**
 * An example plugin: every exported tool(...) becomes a tool of the gateway, named after its
 * export. Load it with `plugins: [{ module: ./examples/calculator.ts }]` in gateway.yaml.
 */
import { tool, z } from "mcp-gateway";

export const add = tool(
  {
    description: "Add two numbers",
    input: { a: z.number(), b: z.number() },
  },
  ({ a, b }) => a + b,
);

export const multiply = tool(
  {
    description: "Multiply two numbers",
    input: { a: z.number(), b: z.number() },
  },
  ({ a, b }) => a * b,
);

/** Async handlers work the same way; an object result becomes structuredContent. */
export const divide = tool(
  {
    description: "Divide a by b; dividing by zero is a tool error",
    input: { a: z.number(), b: z.number().describe("The divisor; must not be 0") },
  },
  async ({ a, b }) => {
    if (b === 0) throw new Error("cannot divide by zero");
    return { quotient: a / b };
  },
);
