import { describe, expect, it } from "vitest";
import { classifyFailure, type FailedRequest } from "../src/stripe/errors.js";
import { encodeQuery } from "../src/stripe/query.js";
import { retryDecision, retryWaitMs } from "../src/stripe/retry.js";

const KEY = "sk_test_abcdefghijklmnop1234";
const failed = (request: Partial<FailedRequest>) => classifyFailure({ method: "GET", path: "/v1/charges", message: "boom", ...request }, KEY);

describe("retry policy", () => {
  it("retries 429, 409, 5xx and transport failures", () => {
    for (const status of [429, 409, 500, 502, 503, 504]) expect(retryDecision(failed({ status })).retry).toBe(true);
    expect(retryDecision(failed({})).retry).toBe(true);
  });
  it("never retries other 4xx", () => {
    for (const status of [400, 401, 402, 403, 404]) expect(retryDecision(failed({ status })).retry).toBe(false);
  });
  it("lets Stripe-Should-Retry decide when present", () => {
    expect(retryDecision(failed({ status: 500, headers: { "stripe-should-retry": "false" } })).retry).toBe(false);
    expect(retryDecision(failed({ status: 400, headers: { "stripe-should-retry": "true" } })).retry).toBe(true);
  });
  it("429s do not use up attempts", () => {
    expect(retryDecision(failed({ status: 429 })).consumesAttempt).toBe(false);
    expect(retryDecision(failed({ status: 500 })).consumesAttempt).toBe(true);
  });
  it("honours Retry-After in seconds, else backs off exponentially with jitter, never past the budget", () => {
    expect(retryWaitMs(failed({ status: 429, headers: { "retry-after": "2" } }), 0, 60_000, () => 0.5)).toBe(2000);
    expect(retryWaitMs(failed({ status: 500 }), 0, 60_000, () => 0)).toBe(500);
    expect(retryWaitMs(failed({ status: 500 }), 3, 60_000, () => 0)).toBe(4000);
    expect(retryWaitMs(failed({ status: 500 }), 3, 60_000, () => 1)).toBe(8000);
    expect(retryWaitMs(failed({ status: 500 }), 20, 60_000, () => 0)).toBe(30_000);
    expect(retryWaitMs(failed({ status: 500 }), 20, 1_000, () => 0)).toBe(1_000);
  });
});

describe("query encoding", () => {
  it("uses Stripe's bracket notation", () => {
    expect(encodeQuery({ limit: 100, "created[gte]": 5, expand: ["data.sources"], skip: undefined })).toBe(
      "limit=100&created[gte]=5&expand[]=data.sources",
    );
  });
});
