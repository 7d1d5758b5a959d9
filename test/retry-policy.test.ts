import { describe, expect, it } from "vitest";
import { retryDecision } from "../src/stripe/retry-policy.js";
import { encodeQuery } from "../src/stripe/query.js";

describe("retry policy", () => {
  it("retries 429, 409, 5xx and transport failures", () => {
    for (const status of [429, 409, 500, 502, 503, 504]) expect(retryDecision({ status }).retry).toBe(true);
    expect(retryDecision({}).retry).toBe(true);
  });
  it("never retries other 4xx", () => {
    for (const status of [400, 401, 402, 403, 404]) expect(retryDecision({ status }).retry).toBe(false);
  });
  it("lets Stripe-Should-Retry decide when present", () => {
    expect(retryDecision({ status: 500, headers: { "stripe-should-retry": "false" } }).retry).toBe(false);
    expect(retryDecision({ status: 400, headers: { "stripe-should-retry": "true" } }).retry).toBe(true);
  });
  it("honours Retry-After in seconds", () => {
    expect(retryDecision({ status: 429, headers: { "retry-after": "2" } })).toEqual({ retry: true, waitMs: 2000 });
  });
});

describe("query encoding", () => {
  it("uses Stripe's bracket notation", () => {
    expect(encodeQuery({ limit: 100, "created[gte]": 5, expand: ["data.sources"], skip: undefined })).toBe(
      "limit=100&created[gte]=5&expand[]=data.sources",
    );
  });
});
