// The zod schema of state.json: the one definition of the hot state file. Loaded lazily: a normal read is
// validated by the parser generated from this schema (state-check.gen.ts, `npm run gen`), which needs no zod; this
// schema runs when that parser does not accept a file, to accept it or to say what is wrong with it.
import * as z from "zod";
import { jobSchema } from "../core/job-model.ts";
import { agentConfigSchema, SCHEMA_VERSION, taskSchema } from "../core/model.ts";

export const stateFileSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  seq: z.number().int().nonnegative(),
  txn: z.string().nullable(),
  /** Handed out by nextCounter(): task ids embed it, so an id is never reused, archived or not. */
  counter: z.number().int().nonnegative().default(0),
  tasks: z.record(z.string(), taskSchema),
  agents: z.record(z.string(), agentConfigSchema),
  /** Cron-job summaries (small; run records with output live in jobs/<id>.jsonl). Absent in older files. */
  jobs: z.record(z.string(), jobSchema).default({}),
});
export type StateFile = z.infer<typeof stateFileSchema>;
