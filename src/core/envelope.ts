// The --json envelope: the one JSON document a command prints, and the body of every HTTP API answer
// (references/http-api.md). Built here once, so the CLI and the API cannot spell it differently.
import type { Push } from "./push.ts";

const SCHEMA = 1;

export interface SuccessEnvelope {
  schemaVersion: typeof SCHEMA;
  ok: true;
  data: unknown;
  push: Push | null;
}

export interface ErrorEnvelope {
  schemaVersion: typeof SCHEMA;
  ok: false;
  error: { code: string; message: string; hint?: string };
}

export function successEnvelope(data: unknown, push: Push | null | undefined): SuccessEnvelope {
  return { schemaVersion: SCHEMA, ok: true, data, push: push ?? null };
}

export function errorEnvelope(code: string, message: string, hint: string | undefined): ErrorEnvelope {
  const error: ErrorEnvelope["error"] = { code, message };
  if (hint) error.hint = hint;
  return { schemaVersion: SCHEMA, ok: false, error };
}
