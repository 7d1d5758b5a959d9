import { describe, expect, it } from "vitest";
import { RequestLimiter, type Priority } from "../src/stripe/limiter.js";

/** A task that runs until `release()` is called. */
function gate(): { task: () => Promise<void>; release: () => void } {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { task: () => done, release };
}

describe("request limiter", () => {
  it("starts waiting requests by priority: polls, then everything else (list pages, per-parent requests), each in arrival order", async () => {
    const limiter = new RequestLimiter({ ratePerSecond: Infinity, maxConcurrency: 1, adaptiveConcurrency: false });
    const first = gate();
    const running = limiter.run(first.task);
    const order: string[] = [];
    const queued = (["list", "list", "list", "poll", "list", "poll"] as Priority[]).map((priority, i) =>
      limiter.run(async () => void order.push(`${priority}${i}`), priority),
    );
    await Promise.resolve();
    expect(order).toEqual([]);
    first.release();
    await Promise.all([running, ...queued]);
    expect(order).toEqual(["poll3", "poll5", "list0", "list1", "list2", "list4"]);
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

describe("pace: starts spaced to a rate, slowed by 429s, an endpoint's own limit", () => {
  it("spaces starts 1/rate apart; a late start does not push the next one later than its own turn", async () => {
    const { Pace } = await import("../src/stripe/pace.js");
    const pace = new Pace(100, 0);
    expect([pace.reserve(0), pace.reserve(0), pace.reserve(0)]).toEqual([0, 10, 20]);
    expect(pace.reserve(100)).toBe(100);
    expect(pace.reserve(100)).toBe(110);
    expect(pace.reserve(0, 500)).toBe(500);
    const free = new Pace(Infinity, 0);
    expect([free.reserve(5), free.reserve(5)]).toEqual([5, 5]);
  });

  it("a 429 cuts the rate to 70% at most once a second; it climbs back by 5% of the budget a second after that", async () => {
    const { Pace } = await import("../src/stripe/pace.js");
    const pace = new Pace(100, 0);
    pace.cut(1000);
    pace.cut(1500);
    expect(pace.rate(1500)).toBe(70);
    pace.cut(2100);
    expect(pace.rate(2100)).toBe(49);
    expect(pace.rate(4100)).toBeCloseTo(49 + 10);
    expect(pace.rate(60_000)).toBe(100);
  });

  it("an endpoint's limit, once learned, holds it at that budget", async () => {
    const { Pace } = await import("../src/stripe/pace.js");
    const pace = new Pace(Infinity, 0);
    expect(pace.limited()).toBe(false);
    pace.limitTo(24.75, 0);
    expect(pace.limited()).toBe(true);
    expect(pace.rate(10_000)).toBe(24.75);
    expect(pace.reserve(10_000) + 1000 / 24.75).toBeCloseTo(pace.reserve(10_000));
  });

  it("counts an endpoint's starts over the last second only", async () => {
    const { RecentStarts } = await import("../src/stripe/pace.js");
    const recent = new RecentStarts();
    for (let t = 0; t < 2000; t += 10) recent.add(t);
    expect(recent.count(1990)).toBe(100);
    expect(recent.count(2500)).toBe(49);
  });

  // Stripe: "API endpoints have a default limit of 25 requests per second", besides the
  // account's 100 in live mode (https://docs.stripe.com/rate-limits).
  it("a 429 while one endpoint alone went faster than 25/s paces that endpoint, not the account; in test mode (25/s in all) it is the account's", async () => {
    const live = new RequestLimiter({ ratePerSecond: 99, maxConcurrency: 50, adaptiveConcurrency: false, endpointLimits: true });
    await Promise.all(Array.from({ length: 30 }, () => live.run(async () => undefined, "list", "GET /v1/charges")));
    live.rateLimited(undefined, "GET /v1/charges");
    expect(live.endpointRate("GET /v1/charges")).toBe(24.75);
    expect(live.endpointRate("GET /v1/customers")).toBe(Infinity);
    expect(live.accountRate()).toBe(99);
    // The endpoint is paced now: ten more starts take at least 9/24.75 s.
    const started = Date.now();
    await Promise.all(Array.from({ length: 10 }, () => live.run(async () => undefined, "list", "GET /v1/charges")));
    expect(Date.now() - started).toBeGreaterThanOrEqual(Math.floor((9 * 1000) / 24.75) - 5);
    // Learned once: a later 429 (a fault, or the account's limit) slows the account, which recovers, not the endpoint again.
    await new Promise((r) => setTimeout(r, 1100));
    live.rateLimited(undefined, "GET /v1/charges");
    expect(live.endpointRate("GET /v1/charges")).toBe(24.75);
    expect(live.accountRate()).toBeCloseTo(99 * 0.7);

    const test = new RequestLimiter({ ratePerSecond: 300, maxConcurrency: 50, adaptiveConcurrency: false, endpointLimits: false });
    await Promise.all(Array.from({ length: 30 }, () => test.run(async () => undefined, "list", "GET /v1/charges")));
    test.rateLimited(undefined, "GET /v1/charges");
    expect(test.endpointRate("GET /v1/charges")).toBe(Infinity);
    expect(test.accountRate()).toBeCloseTo(300 * 0.7);
  });
});
