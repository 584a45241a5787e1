// The data model, as zod schemas (validated at every edge: CLI input and every file read) and the types derived
// from them. Task status is a discriminated union: each variant carries the timestamps valid in that state.
// Loading this module loads zod and builds every schema, a large share of a short call: code that runs on every call imports types from
// here (`import type`, erased) and values from model-constants.ts; the schemas are for the edges that need them.
import * as z from "zod";
import { LIMITS } from "./model-constants.ts";
import { PRIORITY_LABELS } from "./priority.ts";

export { isFinished, LIMITS, SCHEMA_VERSION } from "./model-constants.ts";

const iso = z.string().min(1);
const text = z.string().max(LIMITS.text);

const stepStatusSchema = z.enum(["pending", "running", "done", "failed", "skipped"]);
export type StepStatus = z.infer<typeof stepStatusSchema>;

const stepSchema = z.object({
  name: z.string().min(1).max(LIMITS.name),
  status: stepStatusSchema,
  startedAt: iso.optional(),
  finishedAt: iso.optional(),
  message: text.optional(),
  budgetMs: z.number().int().positive().optional(),
});
export type Step = z.infer<typeof stepSchema>;

export const notifyPolicySchema = z.enum(["all", "steps", "final", "silent"]);
export type NotifyPolicy = z.infer<typeof notifyPolicySchema>;

export const routeSchema = z.object({
  channel: z.string().max(100).optional(),
  target: z.string().max(500).optional(),
  account: z.string().max(200).optional(),
  thread: z.string().max(200).optional(),
});
export type Route = z.infer<typeof routeSchema>;

/** What was pushed for a task, recorded in the same write as the state change (throttle and dedupe). */
const pushStateSchema = z.object({
  lastText: z.string().optional(),
  lastAt: iso.optional(),
  lastHeartbeatAt: iso.optional(),
  lastProgress: z.number().optional(),
  messageId: z.string().optional(),
  messageChannel: z.string().optional(),
  cardText: z.string().optional(),
  stallEpisode: z.string().optional(),
  count: z.number().int().nonnegative().optional(),
  /** With --send: the last delivery taskpulse made itself, and how it went. */
  lastDelivery: z.object({ at: iso, status: z.enum(["sent", "failed"]), error: z.string().optional() }).optional(),
});
export type PushState = z.infer<typeof pushStateSchema>;

export const stopRequestSchema = z.object({
  requestedAt: iso,
  by: z.string(),
  reason: text.optional(),
});
export type StopRequest = z.infer<typeof stopRequestSchema>;

const waitingSchema = z.object({ reason: text, since: iso, until: iso.optional() });

const common = {
  id: z.string().min(1).max(40),
  agent: z.string().min(1).max(64),
  name: z.string().min(1).max(LIMITS.name),
  description: text.optional(),
  /** 1-10, higher runs first. */
  priority: z.number().int().min(1).max(10),
  /** The label the priority was given as (P0-P3), shown instead of the number; absent when given as 1-10. */
  priorityLabel: z.enum(PRIORITY_LABELS).optional(),
  steps: z.array(stepSchema).max(LIMITS.steps),
  progress: z.number().min(0).max(100).optional(),
  lastMessage: text.optional(),
  tags: z.array(z.string()).max(LIMITS.tags),
  after: z.array(z.string()).max(LIMITS.after),
  group: z.string().max(LIMITS.tag).optional(),
  /** Structured parameters: each value JSON (`--meta key=<json>`), or text where it did not read as JSON. */
  meta: z.record(z.string(), z.unknown()),
  /** Creation order in the store (the counter its id embeds): breaks ties between tasks queued in the same ms. */
  seq: z.number().int().nonnegative().optional(),
  createdBy: z.string(),
  createdAt: iso,
  /** FIFO position in the queue; kept across retries so a retried task does not lose its place. */
  queuedAt: iso,
  updatedAt: iso,
  /** Last sign of life (start, step change, heartbeat, progress): the reference for stall detection. */
  lastSeenAt: iso,
  attempts: z.number().int().nonnegative(),
  retries: z.number().int().nonnegative(),
  maxRetries: z.number().int().nonnegative(),
  stallAfterMs: z.number().int().positive().optional(),
  notify: notifyPolicySchema.optional(),
  route: routeSchema.optional(),
  push: pushStateSchema.optional(),
  stop: stopRequestSchema.optional(),
  waiting: waitingSchema.optional(),
  stallsSeen: z.number().int().nonnegative().optional(),
};

export const taskSchema = z.discriminatedUnion("status", [
  z.object({ ...common, status: z.literal("pending") }),
  z.object({ ...common, status: z.literal("running"), startedAt: iso }),
  z.object({ ...common, status: z.literal("done"), startedAt: iso, finishedAt: iso, result: text.optional() }),
  z.object({
    ...common,
    status: z.literal("failed"),
    startedAt: iso,
    finishedAt: iso,
    error: text,
    retryable: z.boolean(),
  }),
  z.object({
    ...common,
    status: z.literal("cancelled"),
    startedAt: iso.optional(),
    finishedAt: iso,
    reason: text.optional(),
    summary: text.optional(),
  }),
]);
export type Task = z.infer<typeof taskSchema>;
export type TaskStatus = Task["status"];
export type TaskOf<S extends TaskStatus> = Extract<Task, { status: S }>;

export const agentConfigSchema = z.object({
  limit: z.number().int().min(1).max(100).optional(),
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;

const auditActionSchema = z.enum(["create", "start", "step", "done", "fail", "retry", "cancel", "stop", "ack", "abandon", "edit"]);
export type AuditAction = z.infer<typeof auditActionSchema>;

export const auditEntrySchema = z.object({
  task: z.string(),
  action: auditActionSchema,
  from: z.string().nullable(),
  to: z.string(),
  message: z.string().optional(),
  operator: z.string(),
  at: iso,
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
