import { expect, test } from "bun:test";
import { ConfigSchema } from "../../src/config/schema.ts";
import { collectSecrets } from "../../src/config/secrets.ts";

test("collects env values, headers (and the credential in them) and tokens", () => {
  const config = ConfigSchema.parse({
    servers: {
      fs: { command: "x", args: ["not-secret"], env: { A: "env-value", B: "other-value" } },
      r: { url: "https://h/mcp", headers: { Authorization: "Bearer abc123" } },
    },
    roles: { admin: null },
    auth: { tokens: [{ token: "token-xyz", role: "admin" }] },
  });
  expect(collectSecrets(config).sort()).toEqual(
    ["Bearer abc123", "abc123", "env-value", "other-value", "token-xyz"].sort(),
  );
  expect(collectSecrets(ConfigSchema.parse({}))).toEqual([]);
});
