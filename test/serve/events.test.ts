// The event hub alone, in-process, with a feed the test controls: a snapshot at connect, one per real change (an
// unchanged view is not sent again), the view made ahead for a page's stream, ping events, and a clean close.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EventHub } from "../../src/serve/events.ts";
import type { ChangeFeed } from "../../src/store/store.ts";
import { until } from "../support/helpers.ts";
import { listen } from "../support/serve-helpers.ts";

class ManualFeed implements ChangeFeed {
  private wake: (() => void) | undefined;
  private signalled = false;
  opened = 0;
  closed = 0;
  /** How many times the hub has waited on the feed: it is back waiting once this grows (a readiness signal). */
  waits = 0;
  /** As a real feed, one that comes while nobody waits is kept for the next wait. */
  signal(): void {
    if (this.wake) this.wake();
    else this.signalled = true;
  }
  next(ms: number): Promise<void> {
    this.waits++;
    if (this.signalled) {
      this.signalled = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        this.wake = undefined;
        clearTimeout(timer);
        resolve();
      };
    });
  }
  close(): void {
    this.closed++;
    this.wake?.();
  }
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function serveHub(produce: () => Promise<{ key: string; data: string }>, feed: ManualFeed, heartbeatMs = 60_000, pollMs = 60_000) {
  const hub = new EventHub({
    produce,
    openFeed: () => {
      feed.opened++;
      return feed;
    },
    pollMs,
    heartbeatMs,
  });
  const server = createServer((_req, res) => {
    void hub.add(res);
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  cleanups.push(() => {
    hub.close();
    server.close();
  });
  return { hub, url };
}

describe("EventHub", () => {
  it("sends the snapshot at connect, then only when the view changed", async () => {
    let version = 1;
    const feed = new ManualFeed();
    const { url } = await serveHub(async () => ({ key: `v${version}`, data: JSON.stringify({ version }) }), feed);
    const events = listen(url);
    cleanups.push(events.close);
    await events.until((s) => s.version === 1);
    await until("the hub waits on the feed", () => feed.waits === 1);
    feed.signal(); // a signal without a change (say, a lock file appearing): nothing is sent
    await until("the hub looked and waits again", () => feed.waits === 2);
    version = 2;
    feed.signal();
    await events.until((s) => s.version === 2);
    // one stream, in order: a resent first view would have come before the second
    expect(events.snapshots).toEqual([{ version: 1 }, { version: 2 }]);
  });

  it("makes the view as the page is served: its stream gets that one, and a change made after it", async () => {
    let version = 1;
    let looks = 0;
    const feed = new ManualFeed();
    const { hub, url } = await serveHub(async () => {
      looks++;
      return { key: `v${version}`, data: JSON.stringify({ version }) };
    }, feed);
    hub.prepare();
    hub.prepare(); // a second page meanwhile: still one look
    expect(looks).toBe(1);
    expect(feed.opened).toBe(1); // the watch opened with the look, before it
    version = 2;
    feed.signal(); // the store changes after the look, before the stream comes
    const events = listen(url);
    cleanups.push(events.close);
    await events.until((s) => s.version === 2);
    expect(events.snapshots).toEqual([{ version: 1 }, { version: 2 }]);
    expect(looks).toBe(2); // the prepared look and the one the change woke: none of the stream's own
    expect(feed.opened).toBe(1);
  });

  it("drops a view nobody came for within the poll interval, and closes its watch", async () => {
    let looks = 0;
    const feed = new ManualFeed();
    const { hub, url } = await serveHub(
      async () => {
        looks++;
        return { key: "same", data: JSON.stringify({ look: looks }) };
      },
      feed,
      60_000,
      50,
    );
    hub.prepare();
    await until("the unused watch closed", () => feed.closed === 1);
    const events = listen(url);
    cleanups.push(events.close);
    await events.until(() => true);
    expect(events.snapshots[0]).toEqual({ look: 2 }); // a look of its own, not the one left unused
  });

  it("pings idle streams with an event a page's script sees, not a comment", async () => {
    const { url } = await serveHub(async () => ({ key: "same", data: "{}" }), new ManualFeed(), 50);
    const events = listen(url);
    cleanups.push(events.close);
    await events.until(() => true);
    await until("two pings", () => events.pings() >= 2);
    expect(events.comments()).toBe(0);
    expect(events.snapshots).toEqual([{}]); // pings only: the unchanged view is not sent again
  });

  it("reports a store it cannot read as a problem event and goes on", async () => {
    let broken = true;
    const feed = new ManualFeed();
    const { hub, url } = await serveHub(async () => {
      if (broken) throw new Error("state.json is not valid JSON");
      return { key: "ok", data: '{"ok":true}' };
    }, feed);
    const events = listen(url);
    cleanups.push(events.close);
    await until("the problem event", () => events.problems.length > 0);
    expect(events.snapshots).toEqual([]);
    expect(events.problems).toEqual(["state.json is not valid JSON"]);
    broken = false;
    feed.signal();
    await events.until((s) => s.ok === true);
    expect(hub.size).toBe(1);
  });
});
