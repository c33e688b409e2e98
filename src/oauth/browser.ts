// Opens a URL for the person logging in: `$BROWSER` when set, else the system's opener.
import { errorMessage } from "../errors.ts";
import { log } from "../log.ts";

/** The command that opens `url`: `$BROWSER` (split on spaces; `%s` stands for the URL) or the OS opener. */
export function browserCommand(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
): string[] | undefined {
  const browser = env.BROWSER?.trim();
  if (browser === "none") return undefined;
  if (browser) {
    const parts = browser.split(/\s+/);
    return parts.includes("%s") ? parts.map((p) => (p === "%s" ? url : p)) : [...parts, url];
  }
  if (process.platform === "darwin") return ["open", url];
  // `start` would read & in the URL as a command separator; rundll32 takes it whole.
  if (process.platform === "win32") return ["rundll32", "url.dll,FileProtocolHandler", url];
  return ["xdg-open", url];
}

/**
 * Open `url` without waiting and without failing: no browser (a server, a container) is normal,
 * and the URL is printed or returned as well. The opener runs in its own session so that the
 * gateway's exit does not take the browser with it.
 */
export function openBrowser(url: string): void {
  const cmd = browserCommand(url);
  if (!cmd) return;
  try {
    const proc = Bun.spawn(cmd, {
      stdin: "ignore",
      stdout: "ignore",
      stderr: "ignore",
      detached: true,
    });
    proc.unref();
    void proc.exited.then((code) => {
      if (code !== 0) log.debug(`${cmd[0]} exited with code ${code} opening the login URL`);
    });
  } catch (e) {
    log.debug(`cannot open a browser (${cmd[0]}): ${errorMessage(e)}`);
  }
}
