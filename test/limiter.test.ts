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

describe("pages in memory follow what the client needs on its way", () => {
  it("a budget holds MAX_PAGES while the need is unknown, rate x latency with headroom once known, never fewer than four", async () => {
    const { PageBudget, MAX_PAGES } = await import("../src/read/page-budget.js");
    let needed = Infinity;
    const budget = new PageBudget(100, () => needed);
    expect(budget.capacityPages()).toBe(MAX_PAGES);
    needed = 19.8; // 99 req/s at 200 ms
    expect(budget.capacityPages()).toBe(27);
    needed = 0.6; // no latency: the process itself is the bottleneck
    expect(budget.capacityPages()).toBe(4);
  });

  it("a page of ten takes a tenth of a full page's place, and a taker always gets in when nothing is taken", async () => {
    const { PageBudget } = await import("../src/read/page-budget.js");
    const budget = new PageBudget(100, () => 0);
    expect(budget.room(10)).toBe(40);
    await budget.take(100);
    await budget.take(100);
    await budget.take(100);
    await budget.take(100);
    expect(budget.room(100)).toBe(0);
    let got = false;
    const waiting = budget.take(10).then(() => (got = true));
    await Promise.resolve();
    expect(got).toBe(false);
    budget.give(100);
    await waiting;
    expect(got).toBe(true);
    for (let i = 0; i < 3; i++) budget.give(100);
    budget.give(10);
    const huge = new PageBudget(100, () => 0);
    await huge.take(5000);
    expect(huge.room(100)).toBe(0);
  });

  it("the need is unknown until a second of answers has been seen, and the average latency until the first answer", async () => {
    const limiter = new RequestLimiter({ ratePerSecond: Infinity, maxConcurrency: 10, adaptiveConcurrency: false });
    expect(limiter.neededInFlight()).toBe(Infinity);
    expect(limiter.averageLatency()).toBe(0);
    const started = performance.now();
    while (performance.now() - started < 1100) await limiter.run(() => new Promise((r) => setTimeout(r, 20)));
    // Known now (its value depends on timing, which tests never assert).
    const needed = limiter.neededInFlight();
    expect(Number.isFinite(needed) && needed > 0).toBe(true);
    expect(limiter.averageLatency()).toBeGreaterThan(0);
  });
});
