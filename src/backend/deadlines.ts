/**
 * One timer for many deadlines: call_timeout armed a timer per call and cleared it on the answer,
 * about a microsecond of every call spent on a timer that almost never fires. Here the table keeps
 * each call's deadline and one timer waits for the earliest; when it fires, `sweep` ends what is
 * due and says when the next deadline is. The timer is not cleared when the table empties (that
 * would cost the clear again on every lone call): it fires, finds nothing due, and is not re-armed.
 */
export class Deadlines {
  private timer?: Timer;
  private at = Number.POSITIVE_INFINITY;

  /** `sweep(now)` ends every entry due by `now` and returns the earliest deadline left (or Infinity). */
  constructor(private readonly sweep: (now: number) => number) {}

  /** Make sure the timer fires no later than `deadline` (a Date.now() value). */
  arm(deadline: number): void {
    if (deadline >= this.at) return;
    clearTimeout(this.timer);
    this.at = deadline;
    this.timer = setTimeout(this.fire, Math.max(0, deadline - Date.now()));
    this.timer.unref?.();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.at = Number.POSITIVE_INFINITY;
    const next = this.sweep(Date.now());
    if (next < Number.POSITIVE_INFINITY) this.arm(next);
  };
}
