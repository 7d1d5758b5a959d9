import { describe, expect, it } from "vitest";
import { RequestLimiter, type Priority } from "../src/stripe/limiter.js";

/** A task that runs until `release()` is called. */
function gate(): { task: () => Promise<void>; release: () => void } {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { task: () => done, release };
}

describe("request limiter", () => {
  it("starts waiting requests by priority: polls, then list pages, then per-parent requests, each in arrival order", async () => {
    const limiter = new RequestLimiter({ ratePerSecond: Infinity, maxConcurrency: 1, adaptiveConcurrency: false });
    const first = gate();
    const running = limiter.run(first.task);
    const order: string[] = [];
    const queued = (["child", "list", "child", "poll", "list", "poll"] as Priority[]).map((priority, i) =>
      limiter.run(async () => void order.push(`${priority}${i}`), priority),
    );
    await Promise.resolve();
    expect(order).toEqual([]);
    first.release();
    await Promise.all([running, ...queued]);
    expect(order).toEqual(["poll3", "poll5", "list1", "list4", "child0", "child2"]);
  });

  it("counts as idle only the slots no request holds or waits for", async () => {
    const limiter = new RequestLimiter({ ratePerSecond: Infinity, maxConcurrency: 3, adaptiveConcurrency: false });
    expect(limiter.idleSlots()).toBe(3);
    const gates = [gate(), gate(), gate(), gate()];
    const runs = gates.map((g) => limiter.run(g.task));
    await Promise.resolve();
    // Three run, one waits: nothing idles, and the waiting one is counted against the slots.
    expect(limiter.idleSlots()).toBe(0);
    for (const g of gates) g.release();
    await Promise.all(runs);
    expect(limiter.idleSlots()).toBe(3);
  });
});
