#!/usr/bin/env bun
/**
 * The `mcp-gateway` command. The one place that exits the process: every error
 * becomes one line on stderr and an exit status (2 for usage and config errors).
 */
import { type CommandDef, defineCommand, renderUsage, runCommand } from "citty";
import { checkArgv, globalArgs, usageError } from "./cli/argv.ts";
import { writeOut } from "./cli/output.ts";
import { errorMessage, isGatewayError } from "./errors.ts";
import { LOG_LEVELS, log, parseLevel, redact, setLogLevel } from "./log.ts";
import { VERSION } from "./version.ts";

const commands = {
  serve: () => import("./cli/serve.ts").then((m) => m.default),
  stdio: () => import("./cli/stdio.ts").then((m) => m.default),
  list: () => import("./cli/list.ts").then((m) => m.default),
  login: () => import("./cli/login.ts").then((m) => m.default),
  logout: () => import("./cli/logout.ts").then((m) => m.default),
  check: () => import("./cli/check.ts").then((m) => m.default),
  reload: () => import("./cli/reload.ts").then((m) => m.default),
  schema: () => import("./cli/schema.ts").then((m) => m.default),
};

const main = defineCommand({
  meta: {
    name: "mcp-gateway",
    version: VERSION,
    description: "One MCP endpoint for many MCP servers",
  },
  args: globalArgs,
  subCommands: commands,
});

function applyLogLevel(flag: string | undefined): void {
  const [value, from] =
    flag !== undefined ? [flag, "--log-level"] : [process.env.MCP_GATEWAY_LOG, "MCP_GATEWAY_LOG"];
  if (!value) return;
  const level = parseLevel(value);
  if (!level) throw usageError(`${from} must be one of ${LOG_LEVELS.join(", ")}, got "${value}"`);
  setLogLevel(level);
}

async function help(command: string | undefined): Promise<void> {
  const load =
    command && Object.hasOwn(commands, command)
      ? commands[command as keyof typeof commands]
      : undefined;
  // citty types a parent and its child with the same args; they differ here.
  const text = load
    ? await renderUsage((await load()) as CommandDef, main as CommandDef)
    : await renderUsage(main);
  const plain = (process.stdout.isTTY ? text : Bun.stripANSI(text)).replace(/[ \t]+$/gm, "");
  await writeOut(`${plain}\n`);
}

async function run(argv: string[]): Promise<number> {
  const { command, help: wantHelp, version, logLevel } = await checkArgv(argv, main);
  applyLogLevel(logLevel);
  if (wantHelp) await help(command);
  else if (version) await writeOut(`${VERSION}\n`);
  else if (!command) throw usageError("missing command");
  else await runCommand(main, { rawArgs: argv });
  return 0;
}

/** One line on stderr, with secrets masked; resolves once it is written. */
function report(e: unknown): Promise<number> {
  let code = 1;
  let message = `unexpected error: ${errorMessage(e)}`;
  if (isGatewayError(e)) {
    code = e.exitCode;
    message = e.message;
  } else if (e instanceof Error && e.name === "CLIError") {
    // citty's own usage errors (argv checking should leave none).
    code = 2;
    message = Bun.stripANSI(e.message);
  }
  if (code === 1 && e instanceof Error && e.stack) log.debug(e.stack);
  const line = `mcp-gateway: ${redact(message).replace(/\s*\n\s*/g, " ")}\n`;
  return new Promise((resolve) => process.stderr.write(line, () => resolve(code)));
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (e: unknown) => process.exit(await report(e)),
);
