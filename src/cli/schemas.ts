// The --json contract: the envelope every command prints and the `data` of each command, as zod schemas. They are
// the source of references/json-schemas.md (z.toJSONSchema, scripts/gen-docs.ts) and a test validates real command
// output against them (test/docs/json-schemas.test.ts), so the documentation cannot drift from what is printed.
// Top-level data objects are strict: a new field must be documented here before it is printed.
// Not imported by the CLI bundle (it costs start-up time and nothing at run time).
import * as z from "zod";
import type { AgentStats, DurationStats, Summary } from "../core/insight.ts";
import { auditEntrySchema, stopRequestSchema, taskSchema } from "../core/model.ts";
import type { Push } from "../core/push.ts";
import { exportDocSchema } from "../store/export-schema.ts";

export const messageToolArgsSchema = z
  .object({
    action: z.enum(["send", "edit"]),
    message: z.string().describe("the text, at most 3 lines, fitted to the channel's limit"),
    channel: z.string().optional(),
    target: z.string().optional(),
    accountId: z.string().optional(),
    threadId: z.string().optional(),
    messageId: z.string().optional().describe("with action edit: the message to edit (recorded by `taskpulse pushed`)"),
  })
  .strict()
  .describe("the exact argument object of OpenClaw's message tool");

export const pushSchema = z
  .object({
    due: z.literal(true),
    reason: z.string().describe("the event: start, step, heartbeat, done, failed, stalled, stopping, stopped, cancelled"),
    id: z.string().describe("stable id of this notification (a stall episode keeps one id)"),
    tool: messageToolArgsSchema,
    argv: z
      .array(z.string())
      .nullable()
      .describe(
        "the same message as an `openclaw message send|edit … --json` command line; null without a target (openclaw requires --target)",
      ),
    hint: z.string().optional().describe("present when no target is configured (then argv is null)"),
    delivery: z
      .object({
        status: z.enum(["sent", "failed"]),
        action: z.enum(["send", "edit"]).describe("what was sent last: an edit of the card, or a new message"),
        messageId: z.string().optional().describe("the id the reply named; a new card's id is kept, so the next push edits it"),
        error: z.string().optional().describe("why it was not delivered"),
        editFailed: z.string().optional().describe("why the edit failed, when a new message was sent instead"),
      })
      .strict()
      .optional()
      .describe("only with --send: what became of the push taskpulse delivered itself (the exit status stays the command's)"),
  })
  .strict()
  .describe("a notification that is due: send it with the message tool, or run argv (or let --send deliver it)");

export const errorEnvelopeSchema = z
  .object({
    schemaVersion: z.literal(1),
    ok: z.literal(false),
    error: z
      .object({
        code: z
          .string()
          .describe(
            "usage, not_found, ambiguous_id, invalid_transition, conflict, store_busy, store_unavailable, store_corrupt, io_error, store_auth, internal",
          ),
        message: z.string().describe("English, whatever --lang chooses (see exit-codes.md)"),
        hint: z.string().optional().describe("English, whatever --lang chooses"),
      })
      .strict(),
  })
  .strict();

export function successEnvelope<T extends z.ZodType>(data: T) {
  return z.object({ schemaVersion: z.literal(1), ok: z.literal(true), data, push: pushSchema.nullable() }).strict();
}

export const summarySchema = z
  .object({
    id: z.string(),
    agent: z.string(),
    name: z.string(),
    description: z.string().optional(),
    status: z.enum(["pending", "running", "done", "failed", "cancelled"]),
    priority: z.number().int().describe("1-10, higher runs first"),
    priorityLabel: z.enum(["P0", "P1", "P2", "P3"]).optional().describe("the label the priority was given as"),
    tags: z.array(z.string()),
    group: z.string().optional(),
    createdAt: z.string(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    retries: z.number().int(),
    stallsSeen: z.number().int().optional(),
    error: z.string().optional(),
    after: z.array(z.string()).optional(),
    meta: z.record(z.string(), z.unknown()).optional().describe("the task's structured parameters (--meta), when it has any"),
    state: z.enum(["stalled", "blocked"]).optional().describe("derived when read"),
    archived: z.boolean().optional(),
  })
  .strict()
  .describe("the small form of a task (hot or archived) that query, history and stats work on");

const livenessSchema = z
  .object({
    stalled: z.boolean(),
    reason: z.enum(["no_heartbeat", "step_overrun"]).optional(),
    since: z.string().optional(),
    forMs: z.number().optional(),
    waiting: z.object({ reason: z.string(), until: z.string().optional() }).optional(),
  })
  .strict();

const dependenciesSchema = z.object({ state: z.enum(["ready", "waiting", "blocked"]), on: z.array(z.string()) }).strict();

const described = {
  task: taskSchema,
  done: z.number().int().describe("steps done or skipped"),
  total: z.number().int(),
  liveness: livenessSchema,
  dependencies: dependenciesSchema.optional(),
};

const durationStatsSchema = z
  .object({
    count: z.number().int(),
    avgMs: z.number().nullable(),
    p50Ms: z.number().nullable(),
    p95Ms: z.number().nullable(),
    avg: z.string().nullable(),
    p50: z.string().nullable(),
    p95: z.string().nullable(),
  })
  .strict();

const agentStatsSchema = z
  .object({
    counts: z
      .object({
        pending: z.number().int(),
        running: z.number().int(),
        done: z.number().int(),
        failed: z.number().int(),
        cancelled: z.number().int(),
        total: z.number().int(),
      })
      .strict(),
    successRate: z.number().describe("done / (done + failed), 0 when none"),
    durations: durationStatsSchema,
    today: z.object({ created: z.number().int(), done: z.number().int(), failed: z.number().int(), cancelled: z.number().int() }).strict(),
    retries: z.number().int(),
    stallsSeen: z.number().int(),
    archived: z.number().int(),
  })
  .strict();

const taskOnly = z.object({ task: taskSchema }).strict();

const tokenInfoSchema = z
  .object({
    id: z.string().describe("tok_ and 12 hex digits: what token revoke takes"),
    agent: z.string().describe("the one agent the token acts as"),
    createdAt: z.string(),
    label: z.string().optional(),
  })
  .strict()
  .describe("an HTTP API token, without the token");

/** The `data` of each command's success envelope. Aliases share their command's entry. */
export const commandData = {
  create: taskOnly,
  start: z.union([
    z.object({ task: taskSchema, claimed: z.literal(true) }).strict(),
    z
      .object({ task: z.null(), claimed: z.literal(false), busy: z.literal(true), running: z.array(z.string()), limit: z.number().int() })
      .strict(),
    z.object({ task: z.null(), claimed: z.literal(false), busy: z.literal(false), waiting: z.number().int() }).strict(),
  ]),
  next: z
    .object({
      task: taskSchema,
      finished: z.boolean().describe("the last step was finished, so the task is done"),
      stopRequested: z.boolean().describe("a stop is pending: the step was recorded, and the command exits 20"),
    })
    .strict(),
  heartbeat: z.object({ task: taskSchema, stopRequested: z.boolean(), stop: stopRequestSchema.nullable() }).strict(),
  skip: z
    .object({
      task: taskSchema,
      finished: z.boolean().describe("the last step was skipped, so the task is done"),
      stopRequested: z.boolean().describe("a stop is pending: the skip was recorded, and the command exits 20"),
    })
    .strict(),
  done: taskOnly,
  error: taskOnly,
  retry: taskOnly,
  cancel: taskOnly,
  edit: z.object({ task: taskSchema, changed: z.boolean().describe("false: the task already said so (nothing written)") }).strict(),
  status: z.union([
    z
      .object({
        tasks: z.array(z.object(described).strict()),
        counts: z
          .object({
            running: z.number().int(),
            stalled: z.number().int(),
            pending: z.number().int(),
            done: z.number().int(),
            failed: z.number().int(),
            cancelled: z.number().int(),
          })
          .strict(),
      })
      .strict()
      .describe("status without an id: every hot task"),
    z
      .object({ ...described, archived: z.boolean() })
      .strict()
      .describe("status <id>: one task"),
    z
      .object({
        stalled: z.array(z.string()).describe("every stalled task, by id"),
        alerted: z.array(z.string()).describe("the tasks whose new stall the push reports (recorded as sent)"),
      })
      .strict()
      .describe("status --alerts: the stall check"),
  ]),
  log: z.object({ task: z.string(), archived: z.boolean(), entries: z.array(auditEntrySchema).describe("newest first") }).strict(),
  limit: z.object({ agent: z.string(), limit: z.number().int() }).strict(),
  pushed: z.object({ task: z.string(), messageId: z.string(), channel: z.string().nullable() }).strict(),
  cleanup: z
    .object({
      archived: z.number().int(),
      abandoned: z.array(z.string()).describe("ids of running tasks closed as abandoned"),
      prunedMonths: z.array(z.string()),
      prunedTasks: z.number().int(),
      prunedRuns: z.number().int(),
      pushes: z.array(pushSchema).describe("one per abandoned task; the first is also the envelope's push"),
    })
    .strict(),
  query: z.object({ total: z.number().int().describe("matches before --limit"), tasks: z.array(summarySchema) }).strict(),
  stats: z.object({ since: z.string().nullable(), agents: z.record(z.string(), agentStatsSchema), overall: agentStatsSchema }).strict(),
  history: z.object({ total: z.number().int(), tasks: z.array(summarySchema) }).strict(),
  agents: z
    .object({
      agents: z.array(
        z
          .object({
            agent: z.string(),
            current: z.number().int(),
            pending: z.number().int(),
            done: z.number().int(),
            failed: z.number().int(),
            cancelled: z.number().int(),
            lastActivity: z.string(),
          })
          .strict(),
      ),
    })
    .strict(),
  stop: z.object({ task: taskSchema, stop: stopRequestSchema.nullable(), repeated: z.boolean() }).strict(),
  check: z
    .object({
      task: z.string(),
      status: z.enum(["pending", "running", "done", "failed", "cancelled"]),
      stopRequested: z.boolean(),
      stop: stopRequestSchema.nullable(),
    })
    .strict(),
  ack: taskOnly,
  wait: z
    .object({ task: taskSchema, reason: z.string().describe("done, failed, cancelled, stop_requested, or timeout"), waitedMs: z.number() })
    .strict(),
  skill: z
    .object({
      dir: z.string(),
      files: z.array(z.object({ path: z.string(), action: z.enum(["created", "updated", "unchanged", "overwritten"]) }).strict()),
    })
    .strict()
    .describe("skill install"),
  "heartbeat-line": z
    .object({
      agent: z.string(),
      era: z.enum(["md", "scratch"]).nullable(),
      entries: z.array(z.string()),
      file: z.string(),
      job: z.string().nullable().describe("--job as given; null: the agent's heartbeat job, found by its declaration key"),
      recipe: z.string().nullable(),
    })
    .strict(),
  token: z.union([
    tokenInfoSchema
      .extend({ token: z.string().describe("the token itself: shown only here, once; the store keeps its SHA-256 digest") })
      .strict()
      .describe("token create"),
    z
      .object({ tokens: z.array(tokenInfoSchema) })
      .strict()
      .describe("token list"),
    z
      .object({ revoked: z.array(tokenInfoSchema) })
      .strict()
      .describe("token revoke"),
  ]),
  completion: z.object({ shell: z.enum(["bash", "zsh", "fish"]), script: z.string() }).strict(),
  export: exportDocSchema.describe("the export document itself (references/postgres.md): what `taskpulse import` reads"),
  import: z
    .object({
      store: z.string().describe("where it was imported (a URL without its password)"),
      tasks: z.number().int(),
      archived: z.number().int(),
      auditEntries: z.number().int(),
      jobs: z.number().int(),
      runs: z.number().int(),
      docs: z.number().int(),
    })
    .strict(),
  migrate: z
    .object({
      store: z.string(),
      backend: z.enum(["json", "postgres"]),
      from: z.number().int().nullable().describe("the schema version found; null when there was none yet"),
      to: z.number().int(),
    })
    .strict(),
} satisfies Record<string, z.ZodType>;

export type DocumentedCommand = keyof typeof commandData;

// Compile-time checks that the hand-written shapes match the types the commands use.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const pushMatches: [Push] extends [z.infer<typeof pushSchema>] ? true : false = true;
const summaryMatches: [Summary] extends [z.infer<typeof summarySchema>] ? true : false = true;
const statsMatches: [AgentStats] extends [z.infer<typeof agentStatsSchema>] ? true : false = true;
const durationsMatch: Same<DurationStats, z.infer<typeof durationStatsSchema>> = true;
/** @public Exported only so the compile-time checks above count as used. */
export const TYPE_CHECKS = [pushMatches, summaryMatches, statsMatches, durationsMatch];
