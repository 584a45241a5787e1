// The change feed of a JSON store: a watch on its directory (inotify on Linux), which every commit renames
// state.json into. Without watch support, callers fall back to their polling interval.
import { type FSWatcher, watch } from "node:fs";
import type { ChangeFeed } from "./store.ts";
import { WakeSignal } from "./wake-signal.ts";

/** Watches the store directory (inotify on Linux): every commit renames state.json into it. */
export class DirectoryFeed implements ChangeFeed {
  private watcher: FSWatcher | undefined;
  private readonly signal = new WakeSignal();

  constructor(dir: string) {
    try {
      this.watcher = watch(dir, { persistent: false }, () => {
        this.signal.notify();
      });
      this.watcher.on("error", () => this.close());
    } catch {
      // no directory yet, or no watch support: callers fall back to their polling interval
    }
  }

  next(ms: number): Promise<void> {
    return this.signal.wait(ms);
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    // A pending wait ends now, so its timer does not keep a stopping process alive.
    this.signal.release();
  }
}
