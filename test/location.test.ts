// Store locations: a PostgreSQL URL is told from a directory, and no password survives scrubUrl, however it is
// written (pg accepts unencoded "@" and spaces in the password).
import { describe, expect, it } from "vitest";
import { isPostgresUrl, scrubUrl } from "../src/store/location.ts";

describe("scrubUrl", () => {
  it.each([
    ["postgres://admin:secret@127.0.0.1:5432/db", "postgres://admin:***@127.0.0.1:5432/db"],
    ["postgres://admin:WR ONG@127.0.0.1:5432/db", "postgres://admin:***@127.0.0.1:5432/db"],
    ["postgresql://admin:p@ss@host/db", "postgresql://admin:***@host/db"],
    [
      "login refused at postgres://u:pa@ss word@h:1/d: password authentication failed",
      "login refused at postgres://u:***@h:1/d: password authentication failed",
    ],
    ["postgres://u@h/d?password=top secret&sslmode=require", "postgres://u@h/d?password=***&sslmode=require"],
    ["first postgres://a:one@h/d\nsecond postgres://b:two@h/d", "first postgres://a:***@h/d\nsecond postgres://b:***@h/d"],
    ["postgres://nobody@h/d", "postgres://nobody@h/d"],
    ["/home/me/.openclaw/taskpulse", "/home/me/.openclaw/taskpulse"],
  ])("%j", (input, expected) => {
    expect(scrubUrl(input)).toBe(expected);
  });

  it("never leaves a password in the text", () => {
    for (const password of ["secret", "WR ONG", "p@ss", "a@b c@d", "x:y", "%41%40"]) {
      const out = scrubUrl(`error at postgres://admin:${password}@127.0.0.1:5432/db: failed`);
      expect(out).not.toContain(password);
    }
  });

  it("tells URLs from directories", () => {
    expect(isPostgresUrl("postgres://h/d")).toBe(true);
    expect(isPostgresUrl(" POSTGRESQL://h/d")).toBe(true);
    expect(isPostgresUrl("./postgres")).toBe(false);
  });
});
