// Where a store lives: a directory (the JSON store) or a PostgreSQL URL. Pure string functions, so the context can
// tell the two apart without loading either backend, and every message can show a URL without its password.

/** Whether `location` names a PostgreSQL server rather than a directory. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location.trim());
}

/**
 * `text` with every password of a PostgreSQL URL in it replaced by `***` (`postgres://user:***@host/db`), including
 * a `password=` query parameter. Used on every message that may carry a URL: a password never reaches output.
 */
export function scrubUrl(text: string): string {
  // The password runs to the last "@" of the line, not the first: pg accepts passwords with an unencoded "@" or space,
  // so stopping early would show the rest of it. Masking a little too much of a message is the safe side.
  return text.replace(/(postgres(?:ql)?:\/\/[^:@/\s]*:)[^\n]*@/gi, "$1***@").replace(/([?&]password=)[^&\n]*/gi, "$1***");
}
