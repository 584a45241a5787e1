// The text a command's --help ends with: notes and the "Example:" block. Apart from program.ts, so a command module
// can be loaded without commander (src/hot.ts). Both fit HELP_WIDTH display columns (test/cli/help-width.test.ts).
import { width } from "./render/text-width.ts";

/** The width every --help fits (commander wraps its own part there too: program.ts). */
const HELP_WIDTH = 80;

const PROMPT = "  $ ";
const CONTINUED = "      ";

/** The "Example:" block; an example wider than HELP_WIDTH is continued on the next line with ` \`. */
export function example(...lines: string[]): string {
  return `\nExample${lines.length > 1 ? "s" : ""}:\n${lines.map((l) => PROMPT + continueLines(l).join(` \\\n${CONTINUED}`)).join("\n")}`;
}

/**
 * A note under the options, its paragraphs (separated by blank lines) refilled to HELP_WIDTH. Lines that start with
 * a space are kept as they are (a list, a table).
 */
export function note(text: string): string {
  return text
    .split("\n\n")
    .map((paragraph) => {
      const lines = paragraph.split("\n");
      if (lines.some((l) => l.startsWith(" "))) return paragraph;
      const words = lines.join(" ").split(/ +/).filter(Boolean);
      return fill(words, HELP_WIDTH, HELP_WIDTH).join("\n");
    })
    .join("\n\n");
}

/**
 * A shell command cut between words (never inside quotes or a trailing comment) into lines that fit after the
 * prompt, each but the last leaving room for ` \`. A word too long for a line is left whole.
 */
function continueLines(command: string): string[] {
  if (width(PROMPT + command) <= HELP_WIDTH) return [command];
  return fill(shellWords(command), HELP_WIDTH - width(PROMPT) - 2, HELP_WIDTH - width(CONTINUED) - 2);
}

/** Greedy fill: words joined by single spaces, the first line at most `first` columns, the others `rest`. */
function fill(words: readonly string[], first: number, rest: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    const joined = line === "" ? word : `${line} ${word}`;
    if (line !== "" && width(joined) > (lines.length === 0 ? first : rest)) {
      lines.push(line);
      line = word;
    } else {
      line = joined;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** The words of a shell command line, quoted parts and a trailing `# comment` kept whole. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = "";
  let quote: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i] as string;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === "#" && word === "") {
      words.push(command.slice(i));
      return glueOperators(words);
    } else if (ch === " ") {
      if (word !== "") words.push(word);
      word = "";
      continue;
    }
    word += ch;
  }
  if (word !== "") words.push(word);
  return glueOperators(words);
}

/** A redirection or pipe stays with the word after it: a line never ends in `>`. */
function glueOperators(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const next = words[i + 1];
    if (/^(\d?>>?|<|\||&&|\|\|)$/.test(word) && next !== undefined && !next.startsWith("#")) {
      out.push(`${word} ${next}`);
      i++;
    } else {
      out.push(word);
    }
  }
  return out;
}
