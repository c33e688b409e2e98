import type { Subprocess } from "bun";

/** Grace periods of the stop sequence (SPEC 4): stdin close, then SIGTERM, then SIGKILL. */
export const STOP_GRACE_MS = 2000;

const groupAlive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

const signalGroup = (pgid: number, signal: NodeJS.Signals): void => {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is already gone.
  }
};

const until = async (done: () => boolean, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() >= end) return false;
    await Bun.sleep(25);
  }
  return true;
};

/**
 * Stop a child started in its own process group (Bun.spawn `detached`), so that
 * wrappers like npx or `sh -c` leave no grandchild behind: close stdin and wait,
 * then SIGTERM the whole group and wait, then SIGKILL the group. Every wait is bounded.
 */
export async function stopProcessGroup(
  proc: Subprocess<"pipe", "pipe", "pipe">,
  graceMs = STOP_GRACE_MS,
): Promise<void> {
  const pgid = proc.pid;
  let exited = proc.exitCode !== null || proc.signalCode !== null;
  proc.exited.then(() => {
    exited = true;
  });
  try {
    proc.stdin.end();
  } catch {
    // stdin already closed
  }
  if (!exited) await until(() => exited, graceMs);
  // Even when the leader exited on EOF, members of its group may live on.
  if (process.platform === "win32") {
    if (!exited) proc.kill("SIGKILL");
    return;
  }
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, "SIGTERM");
  if (await until(() => exited && !groupAlive(pgid), graceMs)) return;
  signalGroup(pgid, "SIGKILL");
  await until(() => exited, graceMs);
}
