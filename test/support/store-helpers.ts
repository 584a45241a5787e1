// Helpers for store tests: forcing a rotation, running doctor, listing files with their modes.
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { JsonStore } from "../../src/store/json-store.ts";
import { cli } from "./helpers.ts";

/** Forces a journal rotation: one commit (re-putting the first task unchanged) through a store that rotates at once. */
export async function rotate(store: string): Promise<void> {
  const s = new JsonStore(store, { lockWaitMs: 5000, rotateBytes: 1, owner: { agent: "test", command: "rotate" } });
  await s.transaction((tx) => {
    const task = tx.tasks[0];
    if (task) tx.put(task);
  });
}

export const codes = (r: { json: { data: { findings: { code: string }[] } } }) => r.json.data.findings.map((f) => f.code);

export async function doctor(store: string, ...flags: string[]) {
  return cli({ store }, "doctor", "--json", ...flags);
}

/** Runs --repair, and checks it is idempotent: a second run finds the store healthy and changes nothing. */
export async function repair(store: string, ...flags: string[]) {
  const r = await doctor(store, "--repair", ...flags);
  if (r.code === 0) {
    const files = tree(store);
    const again = await doctor(store, "--repair");
    expect(again.code).toBe(0);
    expect(again.json.data.repaired).toEqual([]);
    expect(tree(store)).toEqual(files);
  }
  return r;
}

export function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const st = lstatSync(join(dir, name));
    out[name] = st.isFile() ? `${st.mode} ${readFileSync(join(dir, name), "utf8")}` : `${st.mode}`;
  }
  return out;
}
