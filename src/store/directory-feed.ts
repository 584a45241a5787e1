// The change feed of a JSON store: a watch on its directory (inotify on Linux), which every commit renames
// state.json into. Without watch support, callers fall back to their polling interval.
import { type FSWatcher, watch } from "node:fs";
import type { ChangeFeed } from "./store.ts";

/** Watches the store directory (inotify on Linux): every commit renames state.json into it. */
export class DirectoryFeed implements ChangeFeed {
  private watcher: FSWatcher | undefined;
  private pending = false;
  private wake: (() => void) | undefined;

  constructor(dir: string) {
    try {
      this.watcher = watch(dir, { persistent: false }, () => {
        this.pending = true;
        this.wake?.();
      });
      this.watcher.on("error", () => this.close());
    } catch {
      // no directory yet, or no watch support: callers fall back to their polling interval
    }
  }

  next(ms: number): Promise<void> {
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

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    // A pending wait ends now, so its timer does not keep a stopping process alive.
    this.wake?.();
  }
}
