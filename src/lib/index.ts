// The library entry (`import { openStore } from "taskpulse"`): the same use cases the CLI runs, called in-process.
// No logic of its own: each method builds the per-call context the CLI would build (store, agent, clock,
// language, push route) and calls the use case in src/app, so a script gets the same store, locking, atomic writes,
// transitions, audit entries and push decisions as `taskpulse <command> --json`. Its public types are declared in
// types.ts; lib/index.d.ts is generated from this file's exports (`npm run gen`).
import { homedir } from "node:os";
import { type Ctx, createContext, type GlobalOptions } from "../app/context.ts";
import { type CreateOptions, createTaskFrom } from "../app/create.ts";
import type { Deps } from "../app/deps.ts";
import { type HeartbeatOptions, recordHeartbeat } from "../app/heartbeat.ts";
import { type QueryOptions, queryTasks } from "../app/query.ts";
import { claimNextTask, startTaskById } from "../app/start.ts";
import { statusOverview, taskStatus } from "../app/status.ts";
import { acknowledgeStop, advanceTask, cancelTask, checkStop, completeTask, failTask, requestStop, retryTask } from "../app/transitions.ts";
import { waitForTask } from "../app/wait.ts";
import type { Store } from "../store/store.ts";
import type * as Api from "./types.ts";

export { EXIT, TaskpulseError } from "../core/errors.ts";
export type * from "./types.ts";

// The use cases return the internal types (model.ts, insight.ts); handing them out as the public ones makes the
// compiler check that they fit. The --json contract they share is validated against the real output by
// test/docs/json-schemas.test.ts.

/**
 * Opens the store for one agent. Bad options (an invalid agent name, language, …) throw here, not on the first call.
 */
export function openStore(options: Api.OpenStoreOptions = {}): Api.TaskpulseStore {
  const deps: Deps = {
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
    home: homedir(),
    stdout: () => {},
    stderr: () => {},
    now: options.now ?? (() => new Date()),
    random: Math.random,
    isTTY: false,
    columns: 80,
  };
  const globals: GlobalOptions = {};
  if (options.pushes === false) globals.announce = false;
  if (options.home !== undefined) globals.store = options.home;
  if (options.agent !== undefined) globals.agent = options.agent;
  if (options.lang !== undefined) globals.lang = options.lang;
  if (options.channel !== undefined) globals.channel = options.channel;
  if (options.target !== undefined) globals.target = options.target;
  if (options.account !== undefined) globals.account = options.account;
  if (options.thread !== undefined) globals.thread = options.thread;
  /**
   * A fresh context per call (its clock reads `now` once), like one CLI process, over one store for the whole
   * handle (with PostgreSQL: one connection, which never keeps the process alive while idle).
   */
  const shared: { store?: Store } = {};
  const ctx = (extra: GlobalOptions = {}): Ctx => createContext({ ...globals, ...extra }, deps, shared);
  const opened = ctx(); // bad options (an invalid agent name, language, …) fail here, not on the first call

  function status(): Promise<Api.StatusOverview>;
  function status(id: string): Promise<Api.TaskStatusResult>;
  async function status(id?: string): Promise<Api.StatusOverview | Api.TaskStatusResult> {
    if (id === undefined) {
      // every task described, and the stall alert recorded and returned, as `status --json` does
      const { view, push } = await statusOverview(ctx(), true, true);
      return { tasks: view.data.tasks, counts: view.data.counts, push };
    }
    // the library's caller is an agent: it sends the stall alert a read produces (as `status --json` does)
    const s = await taskStatus(ctx(), id, true);
    return { task: s.task, done: s.done, total: s.total, liveness: s.liveness, archived: s.archived, push: s.push };
  }

  return {
    location: opened.storeName,
    agent: opened.agent,

    async create(input) {
      const opts: CreateOptions = {
        name: input.name,
        step: input.steps ?? [],
        tag: input.tags ?? [],
        after: input.after ?? [],
        // as JSON, so a value comes back as it was given (the text "true" stays text)
        meta: Object.entries(input.meta ?? {})
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`),
      };
      if (input.start) opts.start = true;
      if (input.priority !== undefined) opts.priority = String(input.priority);
      if (input.description !== undefined) opts.description = input.description;
      if (input.group !== undefined) opts.group = input.group;
      if (input.maxRetries !== undefined) opts.maxRetries = String(input.maxRetries);
      if (input.stallAfter !== undefined)
        opts.stallAfter = typeof input.stallAfter === "number" ? `${input.stallAfter}ms` : input.stallAfter;
      if (input.notify !== undefined) opts.notify = input.notify;
      return createTaskFrom(ctx(), undefined, [], opts);
    },

    async start(id) {
      if (id !== undefined) return { ...(await startTaskById(ctx(), id)), busy: false };
      const claim = await claimNextTask(ctx());
      if (claim.kind === "claim") return { task: claim.task, push: claim.push, busy: false };
      return { task: null, push: null, busy: claim.kind === "busy" };
    },

    async next(id, message) {
      const { task, push, finished } = await advanceTask(ctx(), id, message ?? "");
      return { task, push, finished };
    },

    async heartbeat(id, hb = {}) {
      const opts: HeartbeatOptions = {};
      if (hb.progress !== undefined) opts.progress = String(hb.progress);
      if (hb.waiting !== undefined) opts.waiting = hb.waiting;
      if (hb.for !== undefined) opts.for = hb.for;
      const { task, push, stop } = await recordHeartbeat(ctx(), id, hb.message ?? "", opts);
      return { task, push, stopRequested: stop !== null };
    },

    async done(id, result) {
      return completeTask(ctx(), id, result ?? "");
    },

    async fail(id, error, opts = {}) {
      const failOpts: { retry?: boolean; step?: string } = {};
      if (opts.retryable === false) failOpts.retry = false;
      if (opts.step !== undefined) failOpts.step = opts.step;
      return failTask(ctx(), id, error, failOpts);
    },

    async retry(id) {
      return retryTask(ctx(), id);
    },

    async cancel(id, reason) {
      return cancelTask(ctx(), id, reason ?? "");
    },

    async stop(id, reason) {
      const { task, push } = await requestStop(ctx(), id, reason ?? "");
      return { task, push };
    },

    async check(id) {
      const { stopRequested, stop } = await checkStop(ctx(), id);
      return { stopRequested, stop };
    },

    async ack(id, summary) {
      return acknowledgeStop(ctx(), id, summary ?? "");
    },

    status,

    async query(input = {}) {
      const opts: QueryOptions = {
        status: input.status ?? [],
        tag: input.tag ?? [],
        // as JSON, as create stores them; a key given undefined asks only that the task has it
        meta: Object.entries(input.meta ?? {}).map(([k, v]) => (v === undefined ? k : `${k}=${JSON.stringify(v)}`)),
        by: input.by ?? "created",
        limit: String(input.limit ?? 50),
        sort: input.sort ?? "-created",
      };
      if (input.minPriority !== undefined) opts.minPriority = String(input.minPriority);
      if (input.maxPriority !== undefined) opts.maxPriority = String(input.maxPriority);
      if (input.group !== undefined) opts.group = input.group;
      if (input.text !== undefined) opts.text = input.text;
      if (input.from !== undefined) opts.from = input.from;
      if (input.to !== undefined) opts.to = input.to;
      const { total, tasks } = await queryTasks(ctx(input.agent === undefined ? {} : { agent: input.agent }), opts);
      return { total, tasks };
    },

    async wait(id, opts = {}) {
      const waitOpts: { timeout: string; interval: string; stop?: boolean } = {
        timeout: opts.timeout ?? "10m",
        interval: opts.interval ?? "2s",
      };
      if (opts.stop) waitOpts.stop = true;
      const { task, reason } = await waitForTask(ctx(), id, waitOpts);
      return { task, reason };
    },
  };
}
