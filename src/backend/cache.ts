import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { isRemote, type ServerConfig } from "../config/schema.ts";
import { errorMessage } from "../errors.ts";
import { log } from "../log.ts";
import type { Lists, ServerInfo } from "../protocol.ts";

export interface CacheEntry extends Lists {
  version: 1;
  server: string;
  savedAt: string;
  info: ServerInfo;
}

export const defaultCacheDir = (): string =>
  join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "mcp-gateway");

/**
 * The key changes when what would be started changes (command, args, env names,
 * url) and not when a secret's value does: values never reach the disk.
 */
export function cacheKey(config: ServerConfig): string {
  const basis = isRemote(config)
    ? { url: config.url }
    : { command: config.command, args: config.args, env: Object.keys(config.env).sort() };
  return createHash("sha256").update(JSON.stringify(basis)).digest("hex").slice(0, 20);
}

/** Tools/prompts/resources per server on disk, so `tools/list` needs no backend running. */
export class SchemaCache {
  constructor(readonly dir: string = defaultCacheDir()) {}

  private file(name: string, config: ServerConfig): string {
    return join(this.dir, `${name}-${cacheKey(config)}.json`);
  }

  read(name: string, config: ServerConfig): CacheEntry | undefined {
    const file = this.file(name, config);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as CacheEntry;
      if (entry.version !== 1 || !Array.isArray(entry.tools) || typeof entry.info !== "object")
        throw new Error("unexpected shape");
      for (const k of ["prompts", "resources", "resourceTemplates"] as const)
        if (!Array.isArray(entry[k])) entry[k] = [];
      return entry;
    } catch (e) {
      // A corrupt entry is only a cache miss; it is rewritten after the next start.
      log.warn(`ignoring corrupt schema cache ${file}: ${errorMessage(e)}`);
      return undefined;
    }
  }

  write(name: string, config: ServerConfig, info: ServerInfo, lists: Lists): void {
    const file = this.file(name, config);
    const entry: CacheEntry = {
      version: 1,
      server: name,
      savedAt: new Date().toISOString(),
      info,
      ...lists,
    };
    try {
      mkdirSync(this.dir, { recursive: true });
      // Write then rename: a reader never sees half a file.
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(entry));
      renameSync(tmp, file);
    } catch (e) {
      log.warn(`cannot write schema cache ${file}: ${errorMessage(e)}`);
    }
  }
}
