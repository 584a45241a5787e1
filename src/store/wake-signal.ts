// "Something may have changed", remembered until asked: what both stores' change feeds are built on. A change that
// arrives while nobody waits is kept, so the next wait returns at once and no change is missed.
export class WakeSignal {
  private pending = false;
  private wake: (() => void) | undefined;

  /** Marks a change, and ends a wait under way. */
  notify(): void {
    this.pending = true;
    this.wake?.();
  }

  /** Ends a wait under way without marking a change (closing, or a failure the waiter must see). */
  release(): void {
    this.wake?.();
  }

  /** Resolves at the next change (at once if one came since the last wait), when released, or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(finish, ms);
      const self = this;
      function finish(): void {
        clearTimeout(timer);
        self.wake = undefined;
        self.pending = false;
        resolve();
      }
      this.wake = finish;
    });
  }
}
