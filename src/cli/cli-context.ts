// The CLI's context: the use cases' (src/app/context.ts) plus how this call shows its result, which only the CLI
// reads: --json, -q, and whether to colour the text.
import type { Ctx, DisplayOptions } from "../app/context.ts";
import type { Deps } from "../app/deps.ts";

interface Display {
  json: boolean;
  quiet: boolean;
  color: boolean;
}

export type CliCtx = Ctx & Display;

/** Adds the display options to `ctx` (in place: the context's clock is a getter that a copy would freeze). */
export function withDisplay(ctx: Ctx, opts: DisplayOptions, deps: Deps): CliCtx {
  const display: Display = {
    json: opts.json === true,
    quiet: opts.quiet === true,
    color: opts.color !== false && deps.isTTY && !("NO_COLOR" in deps.env) && deps.env.TERM !== "dumb",
  };
  return Object.assign(ctx, display);
}
