// Opens the store a location names: a directory (JSON store) or a postgres:// URL. The PostgreSQL code and the pg
// client are loaded only when a URL is used (in the built CLI, from dist/pg.cjs), so a JSON call never pays for
// them; the store object is made at once and connects on its first use.
import { JsonStore, type JsonStoreOptions } from "./json-store.ts";
import { isPostgresUrl, scrubUrl } from "./location.ts";
import type { PgStore } from "./pg/pg-store.ts";
import type { ChangeFeed, Store } from "./store.ts";

export function openStore(location: string, options: JsonStoreOptions): Store {
  return isPostgresUrl(location) ? new LazyPgStore(location, options) : new JsonStore(location, options);
}

/** Loads the PostgreSQL store on first use and hands every call to it. */
class LazyPgStore implements Store {
  readonly location: string;
  private loaded: Promise<PgStore> | undefined;
  private resolved: PgStore | undefined;

  constructor(
    private readonly url: string,
    private readonly options: JsonStoreOptions,
  ) {
    this.location = scrubUrl(url);
  }

  private get pg(): Promise<PgStore> {
    this.loaded ??= import("./pg/pg-store.ts").then(({ PgStore }) => {
      this.resolved = new PgStore(this.url, this.options);
      return this.resolved;
    });
    return this.loaded;
  }

  read: Store["read"] = async () => (await this.pg).read();
  transaction: Store["transaction"] = async (fn, scope) => (await this.pg).transaction(fn, scope);
  auditTrail: Store["auditTrail"] = async (id) => (await this.pg).auditTrail(id);
  runRecords: Store["runRecords"] = async (id) => (await this.pg).runRecords(id);
  pruneRuns: Store["pruneRuns"] = async (o) => (await this.pg).pruneRuns(o);
  readDoc: Store["readDoc"] = async (name) => (await this.pg).readDoc(name);
  updateDoc: Store["updateDoc"] = async (name, fn, now) => (await this.pg).updateDoc(name, fn, now);
  listDocs: Store["listDocs"] = async () => (await this.pg).listDocs();
  archivedSummaries: Store["archivedSummaries"] = async (range) => (await this.pg).archivedSummaries(range);
  archiveIndex: Store["archiveIndex"] = async (range) => (await this.pg).archiveIndex(range);
  archivedTask: Store["archivedTask"] = async (id) => (await this.pg).archivedTask(id);
  pruneArchive: Store["pruneArchive"] = async (cutoff) => (await this.pg).pruneArchive(cutoff);
  exportData: Store["exportData"] = async () => (await this.pg).exportData();
  importData: Store["importData"] = async (doc, o) => (await this.pg).importData(doc, o);
  migrate: Store["migrate"] = async () => (await this.pg).migrate();
  clock: Store["clock"] = async () => (await this.pg).clock();

  clockOffsetMs(): number {
    return this.resolved?.clockOffsetMs() ?? 0;
  }

  changes(): ChangeFeed {
    const feed = this.pg.then((store) => store.changes());
    feed.catch(() => {}); // reported by next()
    return {
      next: async (ms) => (await feed).next(ms),
      close: () => {
        feed.then(
          (f) => f.close(),
          () => {},
        );
      },
    };
  }

  async close(): Promise<void> {
    if (this.loaded) await (await this.loaded).close();
  }
}
