// Where a store lives: a directory (the JSON store) or a PostgreSQL URL. Pure string functions, so the context can
// tell the two apart without loading either backend, and every message can show a URL without its password.

/** Whether `location` names a PostgreSQL server rather than a directory. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location.trim());
}

/**
 * The scheme of a location written as a URL (`postgress://…` → `postgress`), or undefined for a path. A directory
 * name never looks like `scheme://`, so anything that does is a URL the caller meant, and one that is not
 * PostgreSQL is refused rather than taken as a directory named after the URL (password and all).
 */
export function urlScheme(location: string): string | undefined {
  return /^\s*([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(location)?.[1];
}

/**
 * `location` (any scheme) with its password masked, for the message that refuses a URL taskpulse cannot use:
 * `postgress://user:***@host/db`, and `password=***` in the query.
 */
export function scrubAnyUrl(location: string): string {
  return location.replace(/^(\s*[A-Za-z][A-Za-z0-9+.-]*:\/\/[^:@/\s]*:)[^\n]*@/, "$1***@").replace(/([?&;]password=)[^&\n]*/gi, "$1***");
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
