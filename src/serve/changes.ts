// The changes the page may make, through the same transitions and store transaction as the CLI (`applyToTask`).
// The page is a watcher, not an agent: it asks a running task to stop (the agent decides when, and acknowledges),
// and it may cancel only work that has not started.

import type { Ctx } from "../app/context.ts";
import { actorOf, applyToTask } from "../app/tasks.ts";
import { stop } from "../cli/commands/stop.ts";
import { InvalidTransitionError } from "../core/errors.ts";
import { cancelTask } from "../core/lifecycle.ts";
import type { Task } from "../core/model.ts";
import { cleanText } from "../core/names.ts";

/** A soft stop, exactly as `taskpulse stop`: idempotent, the agent learns it at its next check or heartbeat. */
export async function requestStopFromPage(ctx: Ctx, id: string, reason: string): Promise<{ task: Task; repeated: boolean }> {
  const outcome = await stop(ctx, id, reason);
  return outcome.data as { task: Task; repeated: boolean };
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
