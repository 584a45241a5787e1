// Server-Sent Events for the page. One loop per server, running only while someone listens: it waits on the
// store's change feed (a directory watch), with a short poll as the fallback, builds the view, and sends a
// `snapshot` event to every listener when the view differs from the last one sent. A new listener gets the current
// snapshot at once, made as the page that opens the stream is served (prepare()) when it can be. A `ping` event every heartbeatMs keeps idle connections (and proxies) from timing out, and lets
// the page tell a quiet server from a silent one (paused, or behind a proxy that holds the connection open): an
// SSE comment would do the first, but a page's script never sees comments.
import type { ServerResponse } from "node:http";
import type { ChangeFeed } from "../store/store.ts";

export interface Frame {
  /** Equal keys mean nothing a listener sees has changed. */
  key: string;
  data: string;
}

export interface EventHubOptions {
  /** Builds the current snapshot. A failure is sent as a `problem` event and retried at the next wake. */
  produce: () => Promise<Frame>;
  openFeed: () => ChangeFeed;
  /** Longest wait between two looks at the store (stalls appear with time alone; a feed may miss a change). */
  pollMs: number;
  /** How often every stream gets a `ping` event; the page calls itself stale after a few missed (page-live.ts). */
  heartbeatMs: number;
}

export class EventHub {
  private readonly listeners = new Set<ServerResponse>();
  private looping = false;
  private closed = false;
  private lastKey: string | undefined;
  private feed: ChangeFeed | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  /** The view made for a stream expected soon, and when that look began. */
  private prepared: { frame: Promise<Frame | undefined>; at: number; timer: NodeJS.Timeout } | undefined;

  constructor(private readonly options: EventHubOptions) {
    // An event needs a data line to reach the page's listener; its data is empty.
    this.heartbeat = setInterval(() => this.broadcast("event: ping\ndata:\n\n"), options.heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.listeners.size;
  }

  get heartbeatMs(): number {
    return this.options.heartbeatMs;
  }

  /**
   * The page was just served: its stream will ask for the view once the browser has run the page's script. Making
   * the view now, while the browser does that, brings the first snapshot sooner; the next stream to come within
   * pollMs gets it. The watch opens before the look, as in add(), so a change after the look still reaches that
   * stream; nobody coming, the view is dropped and the watch closed. One look at most per pollMs, whoever asks.
   */
  prepare(): void {
    if (this.closed || this.looping || this.prepared) return;
    this.feed ??= this.options.openFeed();
    const timer = setTimeout(() => {
      this.prepared = undefined;
      if (!this.looping) {
        this.feed?.close();
        this.feed = undefined;
      }
    }, this.options.pollMs);
    timer.unref();
    const at = performance.now();
    this.prepared = { frame: this.safeProduce(), at, timer };
  }

  async add(res: ServerResponse): Promise<void> {
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    res.write("retry: 2000\n\n");
    this.listeners.add(res);
    res.on("close", () => this.listeners.delete(res));
    // Opened before the first look, so a change between the look and the first wait is not missed.
    this.feed ??= this.options.openFeed();
    const prepared = this.prepared;
    this.prepared = undefined;
    clearTimeout(prepared?.timer);
    const frame = prepared && performance.now() - prepared.at < this.options.pollMs ? await prepared.frame : await this.safeProduce();
    if (!res.writableEnded) res.write(frame ? event("snapshot", frame.data) : event("problem", this.problem));
    if (frame) this.lastKey ??= frame.key;
    if (!this.looping) void this.loop();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.prepared?.timer);
    this.feed?.close();
    for (const res of this.listeners) res.end();
    this.listeners.clear();
  }

  private problem = "";

  private async safeProduce(): Promise<Frame | undefined> {
    try {
      return await this.options.produce();
    } catch (err) {
      this.problem = JSON.stringify({ message: err instanceof Error ? err.message : String(err) });
      return undefined;
    }
  }

  private async loop(): Promise<void> {
    this.looping = true;
    this.feed ??= this.options.openFeed();
    try {
      while (!this.closed && this.listeners.size > 0) {
        const started = performance.now();
        try {
          await this.feed.next(this.options.pollMs);
        } catch (err) {
          // The feed broke (a database connection was lost): say so, wait a poll, and watch again with a new one.
          this.problem = JSON.stringify({ message: err instanceof Error ? err.message : String(err) });
          this.broadcast(event("problem", this.problem));
          this.lastKey = undefined;
          this.feed.close();
          await new Promise((resolve) => setTimeout(resolve, this.options.pollMs));
          this.feed = this.options.openFeed();
          continue;
        }
        if (this.closed) break;
        const timedOut = performance.now() - started >= this.options.pollMs - 5;
        const frame = await this.safeProduce();
        if (!frame) {
          this.broadcast(event("problem", this.problem));
          this.lastKey = undefined;
          continue;
        }
        if (frame.key === this.lastKey) continue;
        this.lastKey = frame.key;
        this.broadcast(event("snapshot", frame.data));
        // The poll found a change the feed did not signal: either time alone changed the view (a stall began) or
        // the watch is missing (say, the store directory was created after the feed opened). Reopening is cheap.
        if (timedOut) {
          this.feed.close();
          this.feed = this.options.openFeed();
        }
      }
    } finally {
      this.looping = false;
      this.feed?.close();
      this.feed = undefined;
      this.lastKey = undefined;
    }
  }

  private broadcast(chunk: string): void {
    for (const res of this.listeners) if (!res.writableEnded) res.write(chunk);
  }
}

function event(name: string, data: string): string {
  return `event: ${name}\ndata: ${data}\n\n`;
}
