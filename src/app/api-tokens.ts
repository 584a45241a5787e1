// Per-agent tokens of the HTTP API (`taskpulse serve --api`): made and revoked from the CLI, checked by the server.
// Guarantees: a token is shown once, when it is made, and never stored: only its SHA-256 digest is kept; a token is
// compared in constant time with every digest; a revoked token stops working at the next request. They are kept in
// the reserved state document `taskpulse.api-tokens` (state-docs.ts on the JSON store, the docs table on
// PostgreSQL), so both backends keep them with the same locked, atomic, fenced writes and no new table or
// migration; `taskpulse state` refuses that name.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { ConflictError, NotFoundError, StoreCorruptError, UsageError } from "../core/errors.ts";
import { cleanName, printable, validateAgent } from "../core/names.ts";
import { UNCHANGED } from "../store/doc-format.ts";
import type { Store } from "../store/store.ts";
import type { Ctx } from "./context.ts";

const TOKENS_DOC = "taskpulse.api-tokens";
/** Tokens start with this, so that a leaked one is recognised (secret scanners, logs). */
const TOKEN_PREFIX = "tpa_";
const MAX_TOKENS = 1_000;

const recordSchema = z
  .object({
    id: z.string(),
    agent: z.string(),
    createdAt: z.string(),
    label: z.string().optional(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
const docSchema = z.object({ tokens: z.array(recordSchema) }).strict();

type TokenRecord = z.infer<typeof recordSchema>;
/** What is shown of a token: never its digest, never the token. */
export type TokenInfo = Omit<TokenRecord, "sha256">;

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

function recordsOf(value: unknown): TokenRecord[] {
  if (value === undefined) return [];
  const parsed = docSchema.safeParse(value);
  if (!parsed.success) {
    throw new StoreCorruptError(
      `the API token list (state document ${TOKENS_DOC}) is not in the expected form; no token is accepted`,
      `make new tokens after removing it: taskpulse token revoke --all`,
    );
  }
  return parsed.data.tokens;
}

const info = ({ sha256: _, ...rest }: TokenRecord): TokenInfo => rest;

/** Makes a token for `agent`; the token is in the answer and nowhere else. */
export async function createApiToken(ctx: Ctx, agentInput: string, labelInput?: string): Promise<TokenInfo & { token: string }> {
  const agent = validateAgent(agentInput);
  const label = labelInput === undefined ? undefined : cleanName(labelInput, "--label");
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const record: TokenRecord = {
    id: `tok_${randomBytes(6).toString("hex")}`,
    agent,
    createdAt: ctx.now.toISOString(),
    ...(label === undefined ? {} : { label }),
    sha256: digest(token).toString("hex"),
  };
  await ctx.store("token").updateDoc(
    TOKENS_DOC,
    (current) => {
      const tokens = recordsOf(current?.value);
      if (tokens.length >= MAX_TOKENS) {
        throw new UsageError(`there are already ${MAX_TOKENS} API tokens`, "revoke the ones no longer used: taskpulse token list");
      }
      // 48 random bits: a clash is all but impossible, and would be refused rather than shadow another token
      if (tokens.some((t) => t.id === record.id)) throw new ConflictError("a token with this id exists; run the command again");
      return { tokens: [...tokens, record] };
    },
    ctx.now,
  );
  return { ...info(record), token };
}

export async function listApiTokens(ctx: Ctx): Promise<TokenInfo[]> {
  const doc = await ctx.store("token").readDoc(TOKENS_DOC);
  return recordsOf(doc?.value).map(info);
}

/** Revokes one token by id, or (`all`) every token; revoking what is not there is exit 3 and changes nothing. */
export async function revokeApiTokens(ctx: Ctx, which: { id: string } | { all: true }): Promise<TokenInfo[]> {
  if ("id" in which && !/^tok_[0-9a-f]{12}$/.test(which.id)) {
    throw new UsageError(`invalid token id '${printable(which.id)}'`, "use an id from taskpulse token list (tok_…)");
  }
  let revoked: TokenInfo[] = [];
  await ctx.store("token").updateDoc(
    TOKENS_DOC,
    (current) => {
      // `--all` also clears a document that cannot be read, which is how one recovers from it
      const tokens = "all" in which ? safeRecords(current?.value) : recordsOf(current?.value);
      const gone = tokens.filter((t) => "all" in which || t.id === which.id);
      revoked = gone.map(info);
      if ("id" in which && gone.length === 0) {
        throw new NotFoundError(`no API token ${which.id}`, "see taskpulse token list");
      }
      if (current === undefined && gone.length === 0) return UNCHANGED;
      return { tokens: tokens.filter((t) => !gone.includes(t)) };
    },
    ctx.now,
  );
  return revoked;
}

function safeRecords(value: unknown): TokenRecord[] {
  const parsed = docSchema.safeParse(value);
  return parsed.success ? parsed.data.tokens : [];
}

/** The token's record, or undefined. Every digest is compared (in constant time), so the answer's time says nothing. */
export async function findApiToken(store: Store, token: string): Promise<TokenInfo | undefined> {
  const doc = await store.readDoc(TOKENS_DOC);
  const given = digest(token);
  let found: TokenRecord | undefined;
  for (const record of recordsOf(doc?.value)) {
    if (timingSafeEqual(Buffer.from(record.sha256, "hex"), given)) found ??= record;
  }
  return found && info(found);
}
