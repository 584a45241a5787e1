// The stored form of a state document, shared by both backends (no lock, no fs): the envelope text the JSON store
// writes (and whose size both stores bound and report), and the marker an update returns to change nothing.
import { UsageError } from "../core/errors.ts";

export const DOC_VERSION = 1;
/** Largest serialised document accepted: state documents are for small data that cron scripts carry between runs. */
const DOC_MAX_BYTES = 1024 * 1024;

/** Returned by an update function to leave the document as it is (no write, no new revision). */
export const UNCHANGED: unique symbol = Symbol("unchanged");

/** The document's file text (format 1); refuses a document larger than DOC_MAX_BYTES. */
export function docText(doc: { name: string; rev: number; updatedAt: string | null; value: unknown }): string {
  const text = `${JSON.stringify({ schemaVersion: DOC_VERSION, name: doc.name, rev: doc.rev, updatedAt: doc.updatedAt, value: doc.value }, null, 2)}\n`;
  const bytes = Buffer.byteLength(text);
  if (bytes > DOC_MAX_BYTES) {
    throw new UsageError(
      `state document '${doc.name}' would be ${bytes} bytes, more than ${DOC_MAX_BYTES}`,
      "keep state documents small; put bulk data in files",
    );
  }
  return text;
}
