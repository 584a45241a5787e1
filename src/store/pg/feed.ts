// The change feed of a PostgreSQL store: LISTEN on the store's channel, woken by the NOTIFY that every committing
// transaction sends (tx.ts), from whichever host. Uses the process's one connection. Through a transaction-mode
// pooler, where no session lasts beyond a transaction, PollFeed: no signal, each wait ends after its interval and
// the caller reads again (every caller re-reads at an interval anyway; changes are then seen that late).
import type { Client, Notification } from "pg";
import type { ChangeFeed } from "../store.ts";
import { WakeSignal } from "../wake-signal.ts";
import { NOTIFY_CHANNEL } from "./schema.ts";

export class ListenFeed implements ChangeFeed {
  private readonly signal = new WakeSignal();
  private closed = false;
  /** Set when the connection is lost: the next `next` throws it (a waiter must not wait on a dead connection). */
  private lost: unknown;
  private readonly listening: Promise<Client | undefined>;
  private readonly onLost = (err?: unknown) => {
    this.lost ??= err ?? new Error("Connection terminated unexpectedly");
    this.signal.release();
  };
  private readonly onNotification = (msg: Notification) => {
    if (msg.channel === NOTIFY_CHANNEL) this.signal.notify();
  };

  /**
   * `connect` gives the connection; LISTEN is queued on it at once, before any read the caller makes next.
   * `fail` turns a connection failure into the error to report.
   */
  constructor(
    connect: () => Promise<Client>,
    private readonly fail: (err: unknown) => Error,
  ) {
    this.listening = connect().then(async (client) => {
      if (this.closed) return undefined;
      client.on("notification", this.onNotification);
      client.on("error", this.onLost);
      client.on("end", this.onLost);
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      return client;
    });
    // A failure is reported by next(), not as an unhandled rejection.
    this.listening.catch(() => {});
  }

  async next(ms: number): Promise<void> {
    try {
      await this.listening;
    } catch (err) {
      throw this.fail(err);
    }
    if (this.lost !== undefined) throw this.fail(this.lost);
    if (this.closed) return;
    await this.signal.wait(ms);
    if (this.lost !== undefined && !this.closed) throw this.fail(this.lost);
  }

  close(): void {
    this.closed = true;
    this.listening.then(
      (client) => {
        client?.removeListener("notification", this.onNotification);
        client?.removeListener("error", this.onLost);
        client?.removeListener("end", this.onLost);
      },
      () => {},
    );
    this.signal.release();
  }
}

/** A feed without signals, for connections that cannot LISTEN: every wait lasts its full interval, or until closed. */
export class PollFeed implements ChangeFeed {
  private readonly signal = new WakeSignal();
  private closed = false;

  async next(ms: number): Promise<void> {
    if (!this.closed) await this.signal.wait(ms);
  }

  close(): void {
    this.closed = true;
    this.signal.release();
  }
}
