// A status read that finds a stalled task produces the stall alert, once per stall episode: the episode id is
// derived from when the silence (or the overrun) began, so it stays the same until the task moves again. The
// episode is recorded under the lock, so two concurrent status calls never both alert.
import { stepCounts } from "../core/lifecycle.ts";
import { liveness } from "../core/liveness.ts";
import type { Task } from "../core/model.ts";
import { byCodePoint } from "../core/names.ts";
import type { Notification } from "../core/notify.ts";
import type { Push } from "../core/push.ts";
import type { Ctx } from "./context.ts";
import { isDiskError } from "./finish.ts";
import { applyDecision } from "./push.ts";

export function stallEpisode(ctx: Ctx, task: Task): string | undefined {
  const live = liveness(task, ctx.now, ctx.stallMs);
  if (!live.stalled) return undefined;
  return `${task.id}:${live.reason}:${live.since}`;
}

function isNewStall(ctx: Ctx, task: Task): boolean {
  const episode = stallEpisode(ctx, task);
  return episode !== undefined && episode !== task.push?.stallEpisode;
}

/** Records new stall episodes among `candidates`, oldest silence first, up to the first one that has a push (one alert
 * per call); an episode whose alert the task's policy suppresses is recorded and does not hide the next task's. */
export async function alertNewStall(ctx: Ctx, candidates: readonly Task[]): Promise<Push | null> {
  if ((ctx.quiet && !ctx.send) || !candidates.some((t) => isNewStall(ctx, t))) return null;
  return ctx.store("status").transaction((tx) => {
    const fresh = candidates
      .map((t) => tx.get(t.id))
      .filter((t): t is Task => t !== undefined && isNewStall(ctx, t))
      .sort((a, b) => byCodePoint(a.lastSeenAt, b.lastSeenAt));
    for (const task of fresh) {
      const episode = stallEpisode(ctx, task) as string;
      const { done, total } = stepCounts(task);
      const notification: Notification = {
        kind: "stalled",
        name: task.name,
        // The template says "no update for n minutes": count from the last sign of life, also for a step overrun
        // (whose liveness.forMs is only the time past the budget).
        minutes: Math.max(1, Math.floor((ctx.now.getTime() - Date.parse(task.lastSeenAt)) / 60_000)),
        step: task.steps.find((s) => s.status === "running")?.name,
        done,
        total,
      };
      const decided = applyDecision(ctx, task, notification, episode);
      const next: Task = { ...decided.task, push: { ...decided.task.push, stallEpisode: episode }, stallsSeen: (task.stallsSeen ?? 0) + 1 };
      tx.put(next);
      if (decided.push) return decided.push;
    }
    return null;
  });
}

/**
 * alertNewStall for a read command (`status`): a disk that refuses the write (full, read-only) must not cost the
 * caller the status it asked for. The alert is then neither recorded nor printed (printed unrecorded, it would be
 * sent again by every later call); a warning says so, and the first status after the disk is fixed produces it.
 */
export async function alertNewStallOrWarn(ctx: Ctx, candidates: readonly Task[], warnings: string[]): Promise<Push | null> {
  try {
    return await alertNewStall(ctx, candidates);
  } catch (err) {
    if (!isDiskError(err)) throw err;
    warnings.push(
      `the stall alert could not be recorded (${(err as Error).message}); it was not printed and will come with a later status once the store can be written`,
    );
    return null;
  }
}
