/**
 * @module The Retry-After a priority level's rejections carry, adapted as kube-apiserver's
 * droppedRequestsTracker does: 1 s at first; doubled (at most 32 s) when the last `retryAfter`
 * seconds saw at least 3×retryAfter rejections and the last increase is `retryAfter` seconds old;
 * lowered by 1 s when they saw fewer than `retryAfter`. Re-evaluated at the first rejection of each second.
 */

const maxRetryAfter = 32;

/** Rejections of one priority level, per second. */
class LevelStats {
  retryAfter = 1;
  private lastIncrease = 0;
  private current = { second: -1, count: 0 };
  private readonly history: { second: number; count: number }[] = [];

  record(second: number): void {
    if (second === this.current.second) {
      this.current.count++;
      return;
    }
    if (this.current.second >= 0) this.history.push({ ...this.current });
    this.current = { second, count: 1 };
    // Entries older than twice the retry-after (or the maximum) are never needed again.
    const keep = Math.min(2 * this.retryAfter, maxRetryAfter);
    while (this.history.length > 0 && second - (this.history[0]?.second ?? second) > keep) this.history.shift();
    this.update(second);
  }

  private update(second: number): void {
    let dropped = 0;
    for (const h of this.history) if (second - h.second <= this.retryAfter && h.second < second) dropped += h.count;
    if (second - this.lastIncrease >= this.retryAfter && dropped >= 3 * this.retryAfter) {
      this.retryAfter = Math.min(this.retryAfter * 2, maxRetryAfter);
      this.lastIncrease = second;
    } else if (dropped < this.retryAfter && this.retryAfter > 1) this.retryAfter--;
  }
}

/** Tracks rejections per priority level and answers the Retry-After to send. */
export class RetryAfterTracker {
  private readonly levels = new Map<string, LevelStats>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records one rejection at priority level `pl`. */
  recordRejection(pl: string): void {
    let s = this.levels.get(pl);
    if (s === undefined) {
      s = new LevelStats();
      this.levels.set(pl, s);
    }
    s.record(Math.floor(this.now() / 1000));
  }

  /** The Retry-After (seconds) for a rejection at `pl` now. */
  retryAfter(pl: string): number {
    return this.levels.get(pl)?.retryAfter ?? 1;
  }
}
