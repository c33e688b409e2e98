/**
 * The only writer of diagnostics. stdout belongs to the protocol, so every line
 * goes to stderr. Secrets registered with `addSecrets` are masked in every line.
 */
export type LogLevel = "error" | "warn" | "info" | "debug";
const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
export const LOG_LEVELS = Object.keys(ORDER) as LogLevel[];

let threshold = ORDER[parseLevel(process.env.MCP_GATEWAY_LOG) ?? "info"];
const secrets = new Set<string>();
let sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`);

export function parseLevel(value: string | undefined): LogLevel | undefined {
  const v = value?.toLowerCase();
  return v && v in ORDER ? (v as LogLevel) : undefined;
}

export function setLogLevel(level: LogLevel): void {
  threshold = ORDER[level];
}

/** Values (tokens, env values, headers) that must never appear in a log line. */
export function addSecrets(values: Iterable<string>): void {
  // Very short values would mask ordinary words; they are not secrets worth the noise.
  for (const v of values) if (v.length >= 4) secrets.add(v);
}

/** Mask every registered secret in `text`. Also used for errors and status. */
export function redact(text: string): string {
  if (secrets.size === 0) return text;
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join("***");
  return out;
}

/** Tests capture log lines by replacing the sink. Returns the previous one. */
export function setLogSink(fn: (line: string) => void): (line: string) => void {
  const prev = sink;
  sink = fn;
  return prev;
}

function write(level: LogLevel, msg: string): void {
  if (ORDER[level] > threshold) return;
  sink(redact(`mcp-gateway ${level}: ${msg}`));
}

export const log = {
  error: (msg: string) => write("error", msg),
  warn: (msg: string) => write("warn", msg),
  info: (msg: string) => write("info", msg),
  debug: (msg: string) => write("debug", msg),
  enabled: (level: LogLevel) => ORDER[level] <= threshold,
  /** One line of a backend's stderr, prefixed with the server's name. */
  backend: (server: string, line: string) => {
    if (ORDER.info <= threshold) sink(redact(`[${server}] ${line}`));
  },
};
