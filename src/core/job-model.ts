// The cron-job model: the small per-job summary kept in the hot state file (config, open runs, streaks, totals,
// the open alert, the delivery streak) and the run records kept per job in `jobs/<jobId>.jsonl`. Zod schemas
// validate both at the disk edge; the types are derived from them.
import { z } from "zod";
import { routeSchema } from "./model.ts";
import { JOB_LIMITS } from "./model-constants.ts";

// Defined in the zod-free model-constants.ts (the PostgreSQL store needs them without loading zod).
export { JOB_LIMITS } from "./model-constants.ts";

const iso = z.string().min(1);
const count = z.number().int().nonnegative();

/** Why a run failed: the child exited non-zero, died of a signal, hit --timeout, could not be started, or its
 * wrapper died before recording a result (found later: "lost"). */
const failureCauseSchema = z.enum(["exit", "signal", "timeout", "spawn", "lost"]);

const failureSchema = z.object({
  cause: failureCauseSchema,
  exitCode: z.number().int().optional(),
  signal: z.string().max(20).optional(),
  timeoutMs: z.number().int().positive().optional(),
  /** The last non-empty line of stderr (else stdout), or the spawn error. */
  line: z.string().max(JOB_LIMITS.errorLine).optional(),
});
export type Failure = z.infer<typeof failureSchema>;

/** A run that was recorded as started and has not finished: the wrapper's identity lets a later call tell a run
 * that is still going from one whose wrapper was killed. */
const openRunSchema = z.object({
  id: z.string().min(1).max(40),
  startedAt: iso,
  pid: z.number().int().positive(),
  /** Start time of the wrapper process as the OS reports it (Linux: /proc/<pid>/stat field 22), against pid reuse. */
  pidStart: z.string().max(40).optional(),
  host: z.string().max(255),
  timeoutMs: z.number().int().positive().optional(),
  command: z.string().max(JOB_LIMITS.commandText),
  task: z.string().max(40).optional(),
});
export type OpenRun = z.infer<typeof openRunSchema>;

const runOutcomeSchema = z.enum(["success", "failed"]);
export type RunOutcome = z.infer<typeof runOutcomeSchema>;

const lastRunSchema = z.object({
  id: z.string().min(1).max(40),
  startedAt: iso,
  finishedAt: iso,
  durationMs: count.optional(),
  outcome: runOutcomeSchema,
  failure: failureSchema.optional(),
});
export type LastRun = z.infer<typeof lastRunSchema>;

const jobAlertSchema = z.object({
  /** Stable id of the episode: the run that opened it. */
  episode: z.string().min(1).max(40),
  openedAt: iso,
  updatedAt: iso,
  /** The failure streak now (updated by every further failure). */
  failures: count,
  /** Streak length when the last message of this episode (the alert or a reminder) became due. */
  notifiedAt: count,
  lastFailure: failureSchema,
});
export type JobAlert = z.infer<typeof jobAlertSchema>;

const closedAlertSchema = z.object({
  episode: z.string().min(1).max(40),
  openedAt: iso,
  closedAt: iso,
  failures: count,
});

export const deliveryStatusSchema = z.enum(["sent", "failed"]);

const jobDeliverySchema = z.object({
  run: z.string().max(40),
  messageId: z.string().max(200),
  status: deliveryStatusSchema,
  at: iso,
  error: z.string().max(JOB_LIMITS.errorLine).optional(),
  /** Failed deliveries in a row (a sent one resets it): their own streak, apart from run failures. */
  failures: count,
  sent: count,
  failed: count,
});

export const jobSchema = z.object({
  id: z.string().min(1).max(64),
  createdAt: iso,
  updatedAt: iso,
  alertAfter: z.number().int().min(1).max(1000).optional(),
  remindEvery: z.number().int().min(1).max(1000).optional(),
  route: routeSchema.optional(),
  open: z.array(openRunSchema).max(JOB_LIMITS.openRuns),
  lastRun: lastRunSchema.optional(),
  failures: count,
  successes: count,
  totals: z.object({ runs: count, succeeded: count, failed: count, lost: count }),
  lastSuccessAt: iso.optional(),
  lastFailureAt: iso.optional(),
  alert: jobAlertSchema.optional(),
  lastAlert: closedAlertSchema.optional(),
  alertsOpened: count,
  delivery: jobDeliverySchema.optional(),
});
export type Job = z.infer<typeof jobSchema>;

const streamTailSchema = z.object({
  /** The end of the stream, decoded as UTF-8 and cut on a character boundary. */
  tail: z.string(),
  /** Bytes the stream produced in total. */
  bytes: count,
  /** True when `tail` is not the whole output. */
  truncated: z.boolean(),
});
export type StreamTail = z.infer<typeof streamTailSchema>;

/** One line of `jobs/<jobId>.jsonl`. Version 1. */
export const runRecordSchema = z.discriminatedUnion("kind", [
  z.object({
    v: z.literal(1),
    kind: z.literal("started"),
    run: z.string(),
    at: iso,
    pid: z.number().int(),
    host: z.string(),
    argv: z.array(z.string()),
    timeoutMs: z.number().int().positive().optional(),
    task: z.string().optional(),
    agent: z.string().optional(),
  }),
  z.object({
    v: z.literal(1),
    kind: z.literal("finished"),
    run: z.string(),
    at: iso,
    startedAt: iso,
    durationMs: count,
    outcome: runOutcomeSchema,
    failure: failureSchema.optional(),
    exitCode: z.number().int().nullable(),
    signal: z.string().nullable(),
    stdout: streamTailSchema,
    stderr: streamTailSchema,
    /** Finished after it had already been counted as lost (see references/cron.md): recorded, not counted again. */
    late: z.boolean().optional(),
  }),
  z.object({ v: z.literal(1), kind: z.literal("lost"), run: z.string(), at: iso, startedAt: iso, reason: z.string() }),
  z.object({
    v: z.literal(1),
    kind: z.literal("delivery"),
    run: z.string(),
    at: iso,
    messageId: z.string(),
    status: deliveryStatusSchema,
    error: z.string().optional(),
  }),
]);
export type RunRecord = z.infer<typeof runRecordSchema>;
export type RunRecordOf<K extends RunRecord["kind"]> = Extract<RunRecord, { kind: K }>;
