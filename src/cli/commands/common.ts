// The bilingual one-liner every command's text uses.
import type { Ctx } from "../../app/context.ts";

export function t(ctx: Ctx, en: string, zh: string): string {
  return ctx.lang === "zh" ? zh : en;
}
