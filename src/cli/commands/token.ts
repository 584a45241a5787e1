import type { Command } from "commander";
import { createApiToken, listApiTokens, revokeApiTokens, type TokenInfo } from "../../app/api-tokens.ts";
import type { Ctx } from "../../app/context.ts";
import { UsageError } from "../../core/errors.ts";
import { example, note } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

export function registerToken(program: Command, app: App): void {
  const token = program
    .command("token")
    .description("per-agent tokens of the HTTP API (serve --api): create, list, revoke")
    .addHelpText(
      "after",
      `
${note(`A token acts as its agent only. It is printed once, by create; the store keeps only its SHA-256 digest.
Revoking takes effect at the next request. See references/http-api.md.`)}
${example("taskpulse token create --agent anna --label build-box", "taskpulse token list", "taskpulse token revoke tok_3f9a0c1d2e4b")}`,
    );
  token
    .command("create")
    .description("make a token for --agent (required) and print it, once")
    .option("--label <text>", "what it is for (shown by list)")
    .action(app.action((ctx, opts: { label?: string }) => create(ctx, opts.label)));
  token
    .command("list")
    .description("the tokens: id, agent, label, when made (never the token)")
    .action(app.action((ctx) => list(ctx)));
  token
    .command("revoke")
    .description("revoke a token by id, or every token with --all")
    .argument("[id]", "the token's id (tok_…)")
    .option("--all", "revoke every token")
    .action(app.action((ctx, id: string | undefined, opts: { all?: boolean }) => revoke(ctx, id, opts.all === true)));
}

async function create(ctx: Ctx, label: string | undefined): Promise<Outcome> {
  if (ctx.agentFlag === undefined) {
    throw new UsageError("token create needs --agent: the agent the token acts as", "taskpulse token create --agent <name>");
  }
  const made = await createApiToken(ctx, ctx.agentFlag, label);
  return {
    data: made,
    lines: [
      t(
        ctx,
        `API token ${made.id} for agent ${made.agent} (shown only now):`,
        `Agent ${made.agent} 的 API 令牌 ${made.id}（只显示这一次）：`,
      ),
      made.token,
    ],
    quiet: made.token,
  };
}

async function list(ctx: Ctx): Promise<Outcome> {
  const tokens = await listApiTokens(ctx);
  if (tokens.length === 0) return { data: { tokens }, lines: [t(ctx, "no API tokens", "没有 API 令牌")], quiet: "" };
  return { data: { tokens }, lines: tokens.map(line), quiet: tokens.map((k) => k.id).join("\n") };
}

function line(k: TokenInfo): string {
  return `${k.id}  ${k.agent}  ${k.createdAt}${k.label ? `  ${k.label}` : ""}`;
}

async function revoke(ctx: Ctx, id: string | undefined, all: boolean): Promise<Outcome> {
  if ((id === undefined) === !all)
    throw new UsageError("token revoke needs a token id, or --all (not both)", "taskpulse token revoke tok_…");
  const revoked = await revokeApiTokens(ctx, id === undefined ? { all: true } : { id });
  return {
    data: { revoked },
    lines:
      revoked.length === 0 ? [t(ctx, "no API tokens", "没有 API 令牌")] : revoked.map((k) => `${t(ctx, "revoked", "已撤销")} ${line(k)}`),
    quiet: revoked.map((k) => k.id).join("\n"),
  };
}
