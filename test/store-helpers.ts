// Helpers for store tests that reach below the CLI: forcing a rotation, listing files with their modes.
import { JsonStore } from "../src/store/json-store.ts";

/** Forces a journal rotation: one commit (re-putting the first task unchanged) through a store that rotates at once. */
export async function rotate(store: string): Promise<void> {
  const s = new JsonStore(store, { lockWaitMs: 5000, rotateBytes: 1, owner: { agent: "test", command: "rotate" } });
  await s.transaction((tx) => {
    const task = tx.tasks[0];
    if (task) tx.put(task);
  });
}
