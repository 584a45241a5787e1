// Store locations: a PostgreSQL URL is told from a directory, and no password survives scrubUrl, however it is
// written (pg accepts unencoded "@" and spaces in the password).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isPostgresUrl, scrubAnyUrl, scrubUrl, urlScheme } from "../../src/store/location.ts";
import { BIN, cli, tempDir } from "../support/helpers.ts";

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

describe("a URL that is not PostgreSQL", () => {
  it.each([
    ["postgress://user:secret@host/db", "postgress"],
    [" HTTP://h/x", "HTTP"],
    ["file:///tmp/store", "file"],
    ["postgres://h/d", "postgres"],
    ["/home/me/store", undefined],
    ["./postgres:x", undefined],
    ["C:\\taskpulse", undefined],
  ])("urlScheme(%j)", (input, scheme) => {
    expect(urlScheme(input)).toBe(scheme);
  });

  it.each([
    ["postgress://user:secret@host/db", "postgress://user:***@host/db"],
    ["mysql://u:p@ss word@h:1/d", "mysql://u:***@h:1/d"],
    ["redis://h/0?password=top secret&x=1", "redis://h/0?password=***&x=1"],
    ["https://example.com/store", "https://example.com/store"],
  ])("scrubAnyUrl(%j)", (input, expected) => {
    expect(scrubAnyUrl(input)).toBe(expected);
  });

  const cases: [string, string[], Record<string, string>][] = [
    ["TASKPULSE_STORE", ["create", "x"], { TASKPULSE_STORE: "postgress://user:secret@host/db" }],
    ["--store", ["--store", "postgress://user:secret@host/db", "create", "x"], {}],
    ["--store on a read", ["--store", "mysql://user:secret@host/db", "status"], {}],
    ["TASKPULSE_STORE with password=", ["status"], { TASKPULSE_STORE: "https://host/db?password=secret" }],
  ];

  it.each(cases)("is refused from %s: exit 2, password masked, nothing created", (_, args, env) => {
    const cwd = tempDir();
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: cwd, LANG: "C", ...env },
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error: (--store|TASKPULSE_STORE) '.*:\/\/.*' is a \w+:\/\/ URL, which taskpulse cannot use as a store/);
    expect(r.stderr).toContain("***");
    expect(r.stderr).toContain("hint: a store is a directory, or a postgres:// or postgresql:// URL");
    expect(r.stderr + r.stdout).not.toContain("secret");
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("is refused with the JSON envelope too", async () => {
    const r = await cli({ store: "unused", env: { TASKPULSE_STORE: "postgress://user:secret@host/db" } }, "status", "--json");
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe("usage");
    expect(r.json.error.message).toBe(
      "TASKPULSE_STORE 'postgress://user:***@host/db' is a postgress:// URL, which taskpulse cannot use as a store",
    );
    expect(r.stdout + r.stderr).not.toContain("secret");
  });
});
