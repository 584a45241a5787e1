// An error as the person or agent reading stderr sees it, in the chosen language: `error: …` / `hint: …` in English,
// `错误: …` / `提示: …` in Chinese. The Chinese comes from one table (errors-zh.ts): by the error's detail (its key and
// variable parts) where it has one, else by its exact English text, else the English text behind a Chinese lead
// that names the kind of failure. The JSON envelope never comes through here: its message stays English.
import type { ErrorDetail, ErrorParams } from "../../core/errors.ts";
import type { Lang } from "../../core/templates.ts";
import { zhTables } from "./errors-zh.ts";

/** The messages the CLI itself words (commander's, and the last-resort ones of cli/finish.ts), by key. */
interface CliErrorParams {
  unknown_command: { command: string; suggestions: readonly string[] };
  unknown_option: { option: string; suggestions: readonly string[] };
  missing_argument: { argument: string };
  option_missing_value: { option: string };
  required_option: { option: string };
  excess_arguments: { command?: string; expected: number; got: number };
  invalid_choice: { option?: string; argument?: string; value: string; choices: string };
  disk_error: { reason: string };
  internal_error: { reason: string };
}

export type MessageParams = ErrorParams & CliErrorParams;
export type MessageKey = keyof MessageParams;
export type CliErrorDetail = { [K in keyof CliErrorParams]: { key: K } & CliErrorParams[K] }[keyof CliErrorParams];
type AnyErrorDetail = ErrorDetail | CliErrorDetail;

/** A translation: the message, and the hint when it depends on the variable parts (else the fixed-text table decides). */
export type ZhText = string | { message: string; hint?: string | undefined };

export interface ShownError {
  code: string;
  message: string;
  hint?: string | undefined;
  detail?: AnyErrorDetail | undefined;
}

/** The lines for stderr: `error: <message>\nhint: <hint>\n`, or their Chinese. */
export function errorText(error: ShownError, lang: Lang): string {
  if (lang === "en") return `error: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ""}`;
  const { message, hint } = inChinese(error);
  return `错误: ${message}\n${hint ? `提示: ${hint}\n` : ""}`;
}

/** The message and hint in Chinese, as far as the table knows them; what it does not know stays English. */
function inChinese(error: ShownError): { message: string; hint: string | undefined } {
  const said = error.detail ? render(error.detail) : undefined;
  const text = typeof said === "string" ? { message: said } : said;
  const { fixed, leads } = zhTables();
  const message = text?.message ?? fixed[error.message] ?? `${leads[error.code] ?? leads.internal}：${error.message}`;
  const hint = text?.hint ?? (error.hint === undefined ? undefined : (fixed[error.hint] ?? error.hint));
  return { message, hint };
}

/** A line commander writes around its errors (the --help pointer), in the chosen language. */
export function translateLine(line: string, lang: Lang): string {
  if (lang === "en") return line;
  const zh = zhTables().fixed[line.trimEnd()];
  return zh === undefined ? line : `${zh}\n`;
}

function render(detail: AnyErrorDetail): ZhText {
  // One lookup for every key: the table's type guarantees an entry per key with the matching parameters.
  const say = zhTables().messages[detail.key] as (params: AnyErrorDetail) => ZhText;
  return say(detail);
}

/** commander's "\n(Did you mean x?)" / "\n(Did you mean one of x, y?)", as names. */
const DID_YOU_MEAN = /\n\(Did you mean (?:one of )?(.+)\?\)$/;

/** commander's messages without a did-you-mean line, each with the detail it reads into. */
const COMMANDER: readonly (readonly [RegExp, (m: RegExpExecArray) => CliErrorDetail])[] = [
  [/^missing required argument '(.*)'$/, (m) => ({ key: "missing_argument", argument: m[1] ?? "" })],
  [/^option '(.*)' argument missing$/, (m) => ({ key: "option_missing_value", option: m[1] ?? "" })],
  [/^required option '(.*)' not specified$/, (m) => ({ key: "required_option", option: m[1] ?? "" })],
  [
    /^too many arguments(?: for '(.*)')?\. Expected (\d+) arguments? but got (\d+)\.$/,
    (m) => ({ key: "excess_arguments", ...(m[1] === undefined ? {} : { command: m[1] }), expected: Number(m[2]), got: Number(m[3]) }),
  ],
  [
    /^option '(.*)' argument '(.*)' is invalid\. Allowed choices are (.*)\.$/s,
    (m) => ({ key: "invalid_choice", option: m[1] ?? "", value: m[2] ?? "", choices: m[3] ?? "" }),
  ],
  [
    /^command-argument value '(.*)' is invalid for argument '(.*)'\. Allowed choices are (.*)\.$/s,
    (m) => ({ key: "invalid_choice", argument: m[2] ?? "", value: m[1] ?? "", choices: m[3] ?? "" }),
  ],
];

/**
 * commander's own error messages (commander is pinned; test/cli/error-text.test.ts makes each of them), read back into a
 * detail so that they can be said in Chinese. Undefined for one this does not know: it is shown behind the usage lead.
 */
export function commanderDetail(text: string): CliErrorDetail | undefined {
  const line = text.replace(/^error: /, "").trimEnd();
  const suggested = DID_YOU_MEAN.exec(line);
  const suggestions = suggested?.[1]?.split(", ") ?? [];
  const head = suggested ? line.slice(0, suggested.index) : line;
  const unknown = /^unknown (command|option) '(.*)'$/s.exec(head);
  if (unknown?.[1] === "command") return { key: "unknown_command", command: unknown[2] ?? "", suggestions };
  if (unknown?.[1] === "option") return { key: "unknown_option", option: unknown[2] ?? "", suggestions };
  if (suggested) return undefined;
  for (const [pattern, read] of COMMANDER) {
    const m = pattern.exec(line);
    if (m) return read(m);
  }
  return undefined;
}
