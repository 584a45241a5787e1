// `doctor`: examine a JSON store directory (files, journal, leftovers, lock, permissions), or repair it: rebuild a
// lost or damaged state file from the last good copy and the journal, keeping damaged files aside.
import { UsageError } from "../core/errors.ts";
import { examine, type Report, repair } from "../store/doctor.ts";
import { isPostgresUrl } from "../store/location.ts";
import type { Ctx } from "./context.ts";

export interface DoctorOptions {
  repair?: boolean;
  force?: boolean;
}

/** The store's report before and after (the same without `repair`), and what a repair did. */
export interface DoctorResult {
  store: string;
  before: Report;
  after: Report;
  actions: string[] | undefined;
}

export async function checkStore(ctx: Ctx, opts: DoctorOptions): Promise<DoctorResult> {
  const dir = ctx.storeDir;
  if (isPostgresUrl(dir)) {
    throw new UsageError(
      `doctor checks a JSON store directory; ${ctx.storeName} is a PostgreSQL store`,
      "PostgreSQL keeps its own consistency; `taskpulse migrate` checks (and brings up to date) its taskpulse schema",
    );
  }
  if (!opts.repair) {
    const report = examine(dir);
    return { store: dir, before: report, after: report, actions: undefined };
  }
  const lockWaitMs = Math.max(ctx.lockWaitMs, 12_000); // longer than a stale lock takes to be taken over
  const { before, after, actions } = await repair(dir, {
    lockWaitMs,
    force: opts.force === true,
    owner: { agent: ctx.agent, command: "doctor" },
  });
  return { store: dir, before, after, actions };
}
