// The change feed of a PostgreSQL store: LISTEN on the store's channel, woken by the NOTIFY that every committing
// transaction sends (tx.ts), from whichever host. Uses the process's one connection.
import type { Client, Notification } from "pg";
import type { ChangeFeed } from "../store.ts";
import { NOTIFY_CHANNEL } from "./schema.ts";

export class ListenFeed implements ChangeFeed {
  private pending = false;
  private wake: (() => void) | undefined;
  private closed = false;
  private readonly listening: Promise<Client | undefined>;
  private readonly onNotification = (msg: Notification) => {
    if (msg.channel !== NOTIFY_CHANNEL) return;
    this.pending = true;
    this.wake?.();
  };

  /** `connect` gives the connection; LISTEN is queued on it at once, before any read the caller makes next. */
  constructor(connect: () => Promise<Client>) {
    this.listening = connect().then(async (client) => {
      if (this.closed) return undefined;
      client.on("notification", this.onNotification);
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      return client;
    });
    // A failure is reported by next(), not as an unhandled rejection.
    this.listening.catch(() => {});
  }

  async next(ms: number): Promise<void> {
    await this.listening;
    if (this.pending || this.closed) {
      this.pending = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, ms);
      const self = this;
      function finish(): void {
        clearTimeout(timer);
        self.wake = undefined;
        self.pending = false;
        resolve();
      }
      this.wake = finish;
    });
  }

  close(): void {
    this.closed = true;
    this.listening.then(
      (client) => client?.removeListener("notification", this.onNotification),
      () => {},
    );
    this.wake?.();
  }
}
