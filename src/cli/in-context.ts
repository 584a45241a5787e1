// How every command body runs, in the full program (program.ts) and in the lean entry (src/hot.ts) alike.
import { createContext, type GlobalOptions } from "../app/context.ts";
import type { Deps } from "../app/deps.ts";
import { type CliCtx, withDisplay } from "./cli-context.ts";
import type { Outcome } from "./outcome.ts";

/** Runs `body` in a context built from the global options, delivers its push with --send, and closes the context. */
export async function runInContext(
  globals: GlobalOptions,
  deps: Deps,
  body: (ctx: CliCtx) => Promise<Outcome> | Outcome,
): Promise<Outcome> {
  // -q prints no push: none is decided unless --send delivers it
  const ctx = withDisplay(createContext({ ...globals, announce: globals.quiet !== true }, deps), globals, deps);
  try {
    const outcome = await body(ctx);
    return ctx.send && outcome.push ? await (await import("../app/send.ts")).deliver(ctx, outcome) : outcome;
  } finally {
    await ctx.close();
  }
}
