// Deciding the push for a change happens inside the transaction, so what was pushed is recorded in the same write
// as the change itself. When the caller will neither show nor send it (ctx.announce), nothing is decided or recorded.
import type { Change } from "../core/lifecycle.ts";
import type { Route, Task } from "../core/model.ts";
import { cardFor, notificationFor } from "../core/notify.ts";
import type { Push } from "../core/push.ts";
import { decidePush } from "../core/push-decision.ts";
import type { Ctx } from "./context.ts";

/** Route precedence: this call's flags, then the task's own route, then TASKPULSE_CHANNEL/TARGET/ACCOUNT/THREAD. */
export function routeFor(ctx: Ctx, task: Task | undefined): Route {
  const env = ctx.deps.env;
  const pick = (flag: string | undefined, own: string | undefined, fromEnv: string | undefined) => flag ?? own ?? (fromEnv || undefined);
  const route: Route = {};
  const channel = pick(ctx.route.channel, task?.route?.channel, env.TASKPULSE_CHANNEL);
  const target = pick(ctx.route.target, task?.route?.target, env.TASKPULSE_TARGET);
  const account = pick(ctx.route.account, task?.route?.account, env.TASKPULSE_ACCOUNT);
  const thread = pick(ctx.route.thread, task?.route?.thread, env.TASKPULSE_THREAD);
  if (channel) route.channel = channel;
  if (target) route.target = target;
  if (account) route.account = account;
  if (thread) route.thread = thread;
  return route;
}

export function decideForChange(ctx: Ctx, _before: Task | undefined, change: Change): { task: Task; push: Push | null } {
  if (!ctx.announce) return { task: change.task, push: null };
  const notification = notificationFor(change.event, change.task);
  if (!notification) return { task: change.task, push: null };
  return applyDecision(ctx, change.task, notification);
}

export function applyDecision(
  ctx: Ctx,
  task: Task,
  notification: NonNullable<ReturnType<typeof notificationFor>>,
  id?: string,
): { task: Task; push: Push | null } {
  const decision = decidePush({
    taskId: task.id,
    notification,
    state: task.push,
    policy: task.notify ?? ctx.notifyDefault,
    route: routeFor(ctx, task),
    lang: ctx.lang,
    now: ctx.now,
    card: cardFor(task, notification),
    ...(id === undefined ? {} : { id }),
  });
  if (!decision.push) return { task, push: null };
  const next: Task = { ...task };
  if (decision.state) next.push = decision.state;
  return { task: next, push: decision.push };
}
