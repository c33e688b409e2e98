/** What the table needs of an HTTP session. */
export interface HttpSession {
  /** True while the session has a request in flight or a stream open: not idle, whatever the clock says. */
  busy(): boolean;
  /** End the session (cancelling what it has in flight); it removes itself from the table. */
  close(reason: string): void;
}

interface Entry<T> {
  value: T;
  lastActive: number;
  timer?: Timer;
}

/**
 * The open HTTP sessions of one front, by session id, each closed after `idleMs` without
 * a request (0: never). One timer per session, re-armed for the remainder when it fires
 * early, so a session is never closed late by a coarse sweep nor early by a busy one.
 */
export class SessionTable<T extends HttpSession> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly idleMs: number) {}

  add(id: string, value: T): void {
    const entry: Entry<T> = { value, lastActive: Date.now() };
    this.entries.set(id, entry);
    this.arm(id, entry, this.idleMs);
  }

  /** The session, marked active now. */
  get(id: string): T | undefined {
    const entry = this.entries.get(id);
    if (entry) entry.lastActive = Date.now();
    return entry?.value;
  }

  delete(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.entries.delete(id);
  }

  values(): T[] {
    return [...this.entries.values()].map((e) => e.value);
  }

  get size(): number {
    return this.entries.size;
  }

  private arm(id: string, entry: Entry<T>, ms: number): void {
    if (this.idleMs <= 0) return;
    entry.timer = setTimeout(() => this.check(id, entry), ms);
  }

  private check(id: string, entry: Entry<T>): void {
    if (this.entries.get(id) !== entry) return;
    if (entry.value.busy()) {
      // Activity ends later; the session gets a whole idle period from then on.
      entry.lastActive = Date.now();
      return this.arm(id, entry, this.idleMs);
    }
    const idle = Date.now() - entry.lastActive;
    if (idle < this.idleMs) return this.arm(id, entry, this.idleMs - idle);
    entry.value.close(`idle for ${Math.round(idle / 1000)} s`);
    this.delete(id);
  }
}
