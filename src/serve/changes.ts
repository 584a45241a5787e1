// The changes the page may make, through the same transitions and store transaction as the CLI (`applyToTask`).
// The page is a watcher, not an agent: it asks a running task to stop (the agent decides when, and acknowledges),
// and it may cancel only work that has not started.

import type { Ctx } from "../app/context.ts";
import { actorOf, applyToTask } from "../app/tasks.ts";
import { requestStop } from "../app/transitions.ts";
import { InvalidTransitionError } from "../core/errors.ts";
import { cancelTask } from "../core/lifecycle.ts";
import type { StopRequest, Task } from "../core/model.ts";
import { cleanText } from "../core/names.ts";

/** A soft stop, exactly as `taskpulse stop`: idempotent, the agent learns it at its next check or heartbeat. */
export async function requestStopFromPage(
  ctx: Ctx,
  id: string,
  reason: string,
): Promise<{ task: Task; stop: StopRequest | null; repeated: boolean }> {
  const { task, repeated } = await requestStop(ctx, id, reason);
  return { task, stop: task.stop ?? null, repeated };
}

/** `taskpulse cancel`, limited to a queued task: a running one is asked to stop instead, so its agent can end cleanly. */
export async function cancelQueuedFromPage(ctx: Ctx, id: string, reasonArg: string): Promise<{ task: Task }> {
  const reason = cleanText(reasonArg, "reason").trim() || undefined;
  const { change } = await applyToTask(ctx, "cancel", id, (task) => {
    if (task.status === "running") {
      throw new InvalidTransitionError(
        `task ${task.id} (${task.name}) is running: the dashboard asks running tasks to stop rather than cancelling them`,
        `POST /api/tasks/${task.id}/stop, or taskpulse cancel ${task.id} from the command line`,
      );
    }
    return cancelTask(task, reason, actorOf(ctx));
  });
  return { task: change.task };
}
