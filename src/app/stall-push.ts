// A status read that finds a stalled task produces the stall alert, once per stall episode: the episode id is
// derived from when the silence (or the overrun) began, so it stays the same until the task moves again. The
// episode is recorded under the lock, so two concurrent status calls never both alert.
import { stepCounts } from "../core/lifecycle.ts";
import { liveness } from "../core/liveness.ts";
import type { Task } from "../core/model.ts";
import { byCodePoint } from "../core/names.ts";
import type { Notification } from "../core/notify.ts";
import { type Push, toArgv } from "../core/push.ts";
import { channelLimit } from "../core/templates.ts";
import { isDiskError } from "../store/disk-error.ts";
import type { Ctx } from "./context.ts";
import { applyDecision } from "./push.ts";

function stallEpisode(ctx: Ctx, task: Task): string | undefined {
  const live = liveness(task, ctx.now, ctx.stallMs);
  if (!live.stalled) return undefined;
  return `${task.id}:${live.reason}:${live.since}`;
}

function isNewStall(ctx: Ctx, task: Task): boolean {
  const episode = stallEpisode(ctx, task);
  return episode !== undefined && episode !== task.push?.stallEpisode;
}

/** What a stall check gave: the push (null: nothing to send) and the tasks whose new stall it reports. */
export interface StallAlerts {
  push: Push | null;
  alerted: string[];
}

const routeKey = (push: Push) => JSON.stringify([push.tool.channel, push.tool.target, push.tool.accountId, push.tool.threadId]);

/**
 * Records the new stall episodes among `candidates` and returns one push reporting all of them (oldest silence
 * first, each alert as its own paragraph), for a call whose output goes to an agent (`agentFacing`: --json,
 * --alerts, --send); any other call records nothing, so a person's `status` never uses up an alert. An episode whose
 * alert the task's policy suppresses is recorded without a push. Alerts bound for another chat than the first one's,
 * or that would make the message longer than the channel takes, are left for the next check, unrecorded.
 */
async function alertNewStalls(ctx: Ctx, candidates: readonly Task[], agentFacing: boolean): Promise<StallAlerts> {
  const none: StallAlerts = { push: null, alerted: [] };
  if (!agentFacing || !ctx.announce || !candidates.some((t) => isNewStall(ctx, t))) return none;
  return ctx.store("status").transaction((tx) => {
    const fresh = candidates
      .map((t) => tx.get(t.id))
      .filter((t): t is Task => t !== undefined && isNewStall(ctx, t))
      .sort((a, b) => byCodePoint(a.lastSeenAt, b.lastSeenAt) || byCodePoint(a.id, b.id));
    const pushes: Push[] = [];
    const alerted: string[] = [];
    for (const task of fresh) {
      const episode = stallEpisode(ctx, task) as string;
      const decided = applyDecision(ctx, task, notificationOf(ctx, task), episode);
      const first = pushes[0];
      if (decided.push && first) {
        const text = [...pushes, decided.push].map((p) => p.tool.message).join("\n\n");
        if (routeKey(decided.push) !== routeKey(first) || text.length > channelLimit(first.tool.channel)) continue;
      }
      if (decided.push) {
        pushes.push(decided.push);
        alerted.push(task.id);
      }
      const next: Task = { ...decided.task, push: { ...decided.task.push, stallEpisode: episode }, stallsSeen: (task.stallsSeen ?? 0) + 1 };
      tx.put(next);
    }
    const [first, ...more] = pushes;
    if (!first) return { push: null, alerted };
    if (more.length === 0) return { push: first, alerted };
    const tool = { ...first.tool, message: pushes.map((p) => p.tool.message).join("\n\n") };
    // The id names every episode it reports (send.ts records the delivery with each task).
    const id = pushes.map((p) => p.id).join("+");
    return { push: { ...first, id, tool, argv: toArgv(tool) }, alerted };
  });
}

function notificationOf(ctx: Ctx, task: Task): Notification {
  const { done, total } = stepCounts(task);
  return {
    kind: "stalled",
    name: task.name,
    // The template says "no update for n minutes": count from the last sign of life, also for a step overrun
    // (whose liveness.forMs is only the time past the budget).
    minutes: Math.max(1, Math.floor((ctx.now.getTime() - Date.parse(task.lastSeenAt)) / 60_000)),
    step: task.steps.find((s) => s.status === "running")?.name,
    done,
    total,
  };
}

/**
 * alertNewStall for a read command (`status`): a disk that refuses the write (full, read-only) must not cost the
 * caller the status it asked for. The alert is then neither recorded nor printed (printed unrecorded, it would be
 * sent again by every later call); a warning says so, and the first status after the disk is fixed produces it.
 */
export async function alertNewStallsOrWarn(
  ctx: Ctx,
  candidates: readonly Task[],
  agentFacing: boolean,
  warnings: string[],
): Promise<StallAlerts> {
  try {
    return await alertNewStalls(ctx, candidates, agentFacing);
  } catch (err) {
    if (!isDiskError(err)) throw err;
    warnings.push(
      `the stall alert could not be recorded (${(err as Error).message}); it was not printed and will come with a later status once the store can be written`,
    );
    return { push: null, alerted: [] };
  }
}
