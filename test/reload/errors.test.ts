// Issue 14, a typo is reported, not applied: a broken edit changes nothing (the last good config
// keeps serving, calls in flight go on) and the status shows the located error until a fixed edit
// arrives; `mcp-gateway check` gives the same located errors without starting anything.
import { afterEach, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Held, pidOf, ReloadScene, reloaded, server, status } from "./harness.ts";

const scenes: ReloadScene[] = [];
afterEach(async () => {
  for (const s of scenes.splice(0)) await s.cleanup();
});

const scene = () => {
  const s = new ReloadScene();
  scenes.push(s);
  return s;
};

/** A YAML config whose `servers.b` has a typo (`comand`) on line 7. */
function yamlWithTypo(cmd: { command: string; args: string[] }): string {
  const args = JSON.stringify(cmd.args);
  return [
    "servers:",
    "  a:",
    `    command: ${JSON.stringify(cmd.command)}`,
    `    args: ${args}`,
    "  b:",
    `    command: ${JSON.stringify(cmd.command)}`,
    `    comand: ${JSON.stringify(cmd.command)}`,
    `    args: ${args}`,
    "",
  ].join("\n");
}

describe("a broken edit, then a fixed one", () => {
  test("the broken edit changes nothing and is shown located; the fixed one applies", async () => {
    const s = scene();
    const a = server();
    s.write({ servers: { a } });
    const gw = await s.stdio();
    await gw.call("_a_connect");
    const pid = await pidOf(gw, "a_pid");
    const held = new Held(gw).start(["a_sample"]);
    await held.inFlight();

    const before = await status(gw);
    writeFileSync(s.config, yamlWithTypo(a));
    const broken = await reloaded(gw, before, "the broken reload");
    const where = `${s.config}:7:5: servers.b.comand: unknown key "comand"`;
    expect(broken.config).toMatchObject({
      generation: 1,
      last_reload: { ok: false, error: expect.stringContaining(where) },
    });
    expect(broken.servers.map((x) => x.name)).toEqual(["a"]);
    expect(gw.stderrText()).toContain(`config reload failed; still serving generation 1: ${where}`);
    // The error stays shown while nothing new arrives.
    expect((await status(gw)).config.last_reload?.ok).toBe(false);

    // `check` says the same, and exits 2.
    const checked = await s.run(["check", "--config", s.config]);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toContain(where);

    s.write({ servers: { a, b: server() } });
    const fixed = await reloaded(gw, broken, "the fixed reload");
    expect(fixed.config).toMatchObject({
      generation: 2,
      last_reload: { ok: true, changes: ["servers added: b"] },
    });
    expect(fixed.config.last_reload?.error).toBeUndefined();
    expect(fixed.servers.map((x) => x.name)).toEqual(["a", "b"]);
    const ok = await s.run(["check", "--config", s.config]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(`${s.config}: ok (2 servers, 0 plugin tools, 0 roles, 0 tokens)`);

    await held.settle();
    held.answeredOnce();
    expect(await pidOf(gw, "a_pid")).toBe(pid);
    const { left } = await s.shutdown(gw);
    expect(left).toEqual([]);
  });

  test("a deleted or empty file, an invalid value, a plugin that does not load: each changes nothing", async () => {
    const s = scene();
    const a = server();
    s.write({ servers: { a } });
    const gw = await s.stdio();
    const bad = join(s.dir.path, "bad-plugin.ts");
    writeFileSync(bad, "export const x = ;\n");
    const syntax = `plugin ${bad}: cannot load: syntax error at ${bad}:1:18`;
    const attempts: [() => void, string][] = [
      [() => rmSync(s.config), `${s.config}: config file not found`],
      // An editor that truncates first: an empty file would otherwise remove every server.
      [() => writeFileSync(s.config, "\n"), `${s.config}: the file is empty; not applied`],
      [
        () => s.write({ servers: { a: { ...a, call_timeout: "soon" } } }),
        "servers.a.call_timeout: expected a number",
      ],
      [() => s.write({ servers: { a }, plugins: [{ module: "./bad-plugin.ts" }] }), syntax],
      [
        () =>
          s.write({
            servers: { a },
            roles: {},
            auth: { tokens: [{ token: "t-1234567", role: "nope" }] },
          }),
        'auth.tokens[0].role: unknown role "nope"',
      ],
    ];
    for (const [edit, error] of attempts) {
      const before = await status(gw);
      edit();
      const after = await reloaded(gw, before);
      expect(after.config).toMatchObject({ generation: 1, last_reload: { ok: false } });
      expect(after.config.last_reload?.error).toContain(error);
      expect(after.servers.map((x) => x.name)).toEqual(["a"]);
      expect(after.plugins).toEqual([]);
    }
    // `check` imports plugins as a start would: the same error.
    s.write({ servers: { a }, plugins: [{ module: "./bad-plugin.ts" }] });
    const checked = await s.run(["check", "--config", s.config]);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toContain(syntax);
    // The gateway is still fine.
    expect((await gw.call("_a_connect")).error).toBeUndefined();
    const { left } = await s.shutdown(gw);
    expect(left).toEqual([]);
  });
});
