/** Watches the config file (and plugin files) and calls back once a burst of writes has settled. */
import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";
import { errorMessage } from "../errors.ts";
import { log } from "../log.ts";

/** Quiet time after the last write before a reload: editors save in several steps. */
export const QUIET_MS = 300;
/** A reload at least this often while writes keep coming, so a steady stream cannot starve it. */
export const MAX_WAIT_MS = 2000;

/**
 * Folders are watched, not files: an editor that saves by writing a new file and renaming it
 * over the old one (vim, most IDEs) replaces the inode a file watch would follow, and a file
 * that is deleted and written again must still be seen.
 */
export class ConfigWatcher {
  private readonly folders = new Map<string, { watcher: FSWatcher; names: Set<string> }>();
  private timer?: Timer;
  private firstAt = 0;
  private closed = false;

  constructor(
    private readonly changed: () => void,
    private readonly quietMs = QUIET_MS,
    private readonly maxWaitMs = MAX_WAIT_MS,
  ) {}

  /** Watch exactly these files from now on (the plugin list may have changed). */
  watchFiles(files: readonly string[]): void {
    if (this.closed) return;
    const wanted = new Map<string, Set<string>>();
    for (const f of files) {
      const names = wanted.get(dirname(f)) ?? new Set<string>();
      names.add(basename(f));
      wanted.set(dirname(f), names);
    }
    for (const [dir, entry] of this.folders)
      if (!wanted.has(dir)) {
        entry.watcher.close();
        this.folders.delete(dir);
      }
    for (const [dir, names] of wanted) {
      const entry = this.folders.get(dir);
      if (entry) {
        entry.names = names;
        continue;
      }
      try {
        // Not persistent: watching must not keep a gateway alive that has nothing left to serve.
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          const e = this.folders.get(dir);
          // Some platforms do not say which file; then it may have been ours.
          if (e && (name === null || e.names.has(basename(String(name))))) this.poke();
        });
        watcher.on("error", (e) => log.warn(`watching ${dir}: ${errorMessage(e)}`));
        this.folders.set(dir, { watcher, names });
      } catch (e) {
        log.warn(`cannot watch ${dir} for config changes: ${errorMessage(e)}`);
      }
    }
  }

  /** A write was seen: reload once the writes stop for quietMs, or maxWaitMs after the first. */
  private poke(): void {
    if (this.closed) return;
    const now = Date.now();
    if (this.timer === undefined) this.firstAt = now;
    clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.quietMs, this.firstAt + this.maxWaitMs - now));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changed();
    }, wait);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const { watcher } of this.folders.values()) watcher.close();
    this.folders.clear();
  }
}
