// Every kind of push taskpulse prints, produced by the CLI itself (in-process, fixed clock): task send and edit,
// with and without a route, with thread and account, a negative (group) chat id, and the cron job alerts.
import type { Push } from "../../src/core/push.ts";
import { cli, tempDir } from "../support/helpers.ts";

/** The names everyPush() returns, in order: tests are declared from this list before the pushes exist. */
export const PUSH_KINDS = [
  "task start, no route",
  "task step, no route",
  "task heartbeat, no route",
  "task edit, no route",
  "task done, no route",
  "task start, channel and target",
  "task step, channel and target",
  "task edit, channel and target",
  "task failed, channel and target",
  "task start, thread and account",
  "task edit, thread and account",
  "task start, target only",
  "task start, group chat id",
  "job alert, no route",
  "job alert, channel and target",
  "job recovery, channel and target",
] as const;

export interface NamedPush {
  name: string;
  push: Push;
}

const ROUTE = ["--channel", "telegram", "--target", "123"];
const FULL_ROUTE = [...ROUTE, "--thread", "7", "--account", "bot2"];

export async function everyPush(): Promise<NamedPush[]> {
  const out: NamedPush[] = [];
  const take = (name: string, r: { code: number; json: { push: Push | null } }, code = 0) => {
    if (r.code !== code || !r.json.push) throw new Error(`${name}: exit ${r.code}, push ${JSON.stringify(r.json.push)}`);
    out.push({ name, push: r.json.push });
  };
  let minute = 0;
  // A minute apart, so heartbeat throttling never hides a push.
  const at = (store: string, env: Record<string, string> = {}) => ({
    store,
    env,
    now: new Date(Date.parse("2026-05-01T10:00:00Z") + 60_000 * minute++).toISOString(),
  });

  // A live task without a route: the message tool answers in the current conversation.
  let store = tempDir();
  let r = await cli(at(store), "create", "Daily report", "fetch", "write", "publish", "--start", "--json");
  take("task start, no route", r);
  const bare = r.json.data.task.id as string;
  take("task step, no route", await cli(at(store), "next", bare, "25 items", "--json"));
  take("task heartbeat, no route", await cli(at(store), "heartbeat", bare, "section 3 of 5", "--progress", "60", "--json"));
  await cli(at(store), "pushed", bare, "4242", "--channel", "telegram");
  take("task edit, no route", await cli(at(store), "next", bare, "written", "--json"));
  take("task done, no route", await cli(at(store), "done", bare, "published", "--json"));

  // With channel and target, then thread and account: an explicit route (heartbeat and cron runs need one).
  store = tempDir();
  r = await cli(at(store), "create", "Import", "download", "load", "check", "--start", "--json", ...ROUTE);
  take("task start, channel and target", r);
  const routed = r.json.data.task.id as string;
  take("task step, channel and target", await cli(at(store), "next", routed, "3 files", "--json", ...ROUTE));
  await cli(at(store), "pushed", routed, "4243", ...ROUTE);
  take("task edit, channel and target", await cli(at(store), "next", routed, "loaded", "--json", ...ROUTE));
  take("task failed, channel and target", await cli(at(store), "error", routed, "checksum mismatch", "--json", ...ROUTE));

  store = tempDir();
  r = await cli(at(store), "create", "Backup", "dump", "upload", "--start", "--json", ...FULL_ROUTE);
  take("task start, thread and account", r);
  const full = r.json.data.task.id as string;
  await cli(at(store), "pushed", full, "4244", ...FULL_ROUTE);
  take("task edit, thread and account", await cli(at(store), "next", full, "dumped", "--json", ...FULL_ROUTE));

  // A target only (OpenClaw picks the one configured channel), and a Telegram group: a negative chat id.
  store = tempDir();
  take("task start, target only", await cli(at(store, { TASKPULSE_TARGET: "123" }), "create", "Sync", "a", "b", "--start", "--json"));
  store = tempDir();
  const group = { TASKPULSE_CHANNEL: "telegram", TASKPULSE_TARGET: "-1001234567890" };
  take("task start, group chat id", await cli(at(store, group), "create", "Group", "a", "b", "--start", "--json"));

  // Cron jobs: an alert without a route (a cron run has no conversation), with one, and the recovery.
  store = tempDir();
  take("job alert, no route", await cli(at(store), "run", "--job", "nightly", "--alert-after", "1", "--json", "--", "false"), 1);
  store = tempDir();
  take(
    "job alert, channel and target",
    await cli(at(store), "run", "--job", "nightly", "--alert-after", "1", "--json", ...ROUTE, "--", "false"),
    1,
  );
  take("job recovery, channel and target", await cli(at(store), "run", "--job", "nightly", "--json", ...ROUTE, "--", "true"));
  return out;
}
