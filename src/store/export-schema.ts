// The zod schema of the export document (see export-format.ts): what `taskpulse import` accepts.

import * as z from "zod";
import { jobSchema, runRecordSchema } from "../core/job-model.ts";
import { agentConfigSchema, auditEntrySchema, taskSchema } from "../core/model.ts";
import { EXPORT_FORMAT, EXPORT_VERSION } from "./export-format.ts";

const name = z.string().min(1).max(200);

export const exportDocSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  /** The id counter: ids embed it, so the importing store never hands out an id again. */
  counter: z.number().int().nonnegative(),
  tasks: z.array(taskSchema),
  agents: z.record(z.string(), agentConfigSchema),
  jobs: z.record(z.string(), jobSchema),
  /** Audit entries of the hot tasks, oldest first, by task id. */
  audit: z.record(z.string(), z.array(auditEntrySchema)),
  /** Finished tasks moved out of the hot state by cleanup, each with its whole audit trail. */
  archive: z.array(z.object({ task: taskSchema, audit: z.array(auditEntrySchema) })),
  /** Run records per cron job, oldest first. */
  runs: z.record(z.string(), z.array(runRecordSchema)),
  docs: z.array(z.object({ name, rev: z.number().int().nonnegative(), updatedAt: z.string().nullable(), value: z.unknown() })),
});

export type ExportDoc = z.infer<typeof exportDocSchema>;
