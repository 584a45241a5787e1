// Full validation of journal lines, for `taskpulse doctor` (kept apart from journal.ts so writes never load zod).
import { z } from "zod";
import { auditEntrySchema } from "../core/model.ts";
import { JOURNAL_VERSION } from "./journal.ts";

/**
 * Full validation of a line, for `taskpulse doctor`. An op's kind is any lower-case word: `k` names the state's
 * collection `k + "s"` (task -> tasks, agent -> agents), so kinds added later replay without a format change; the
 * value is validated when the replayed state is.
 */
const journalOpSchema = z.object({ k: z.string().regex(/^[a-z][a-z0-9_]*$/), id: z.string().min(1), v: z.unknown() });
export const journalRecordSchema = z.object({
  v: z.literal(JOURNAL_VERSION),
  seq: z.number().int().positive(),
  txn: z.string().min(1),
  prev: z.string().min(1).nullable(),
  at: z.string().min(1),
  counter: z.number().int().nonnegative().optional(),
  ops: z.array(journalOpSchema),
  audit: z.array(auditEntrySchema),
});
export const abortRecordSchema = z.object({ v: z.literal(JOURNAL_VERSION), abort: z.string().min(1) });
export const landedMarkSchema = z.object({ v: z.literal(JOURNAL_VERSION), landed: z.string().min(1) });
