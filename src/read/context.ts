import type { Config } from "../config.js";
import type { StripeClient } from "../stripe/client.js";
import type { PageBudget } from "./page-budget.js";
import type { Op } from "./sink.js";

/** What every fetcher of one read shares. */
export interface ReadContext {
  client: StripeClient;
  config: Config;
  /** Stripe-Account to send, when reading a connected account. */
  account?: string;
  /** Start of the sync, epoch seconds: the upper bound of every window. */
  now: number;
  /** `start_date` as epoch seconds. */
  startDate: number;
  log: (level: "INFO" | "WARN" | "ERROR", message: string) => void;
  /** Pages fetched but not yet printed, shared by every list of the read. */
  pages?: PageBudget;
}

export type Record_ = Record<string, unknown>;

/** What a fetcher yields: records, then the cursor that checkpoints them. */
export type FetchItem =
  | { kind: "record"; stream: string; data: Record_; op: Op }
  /** Every record of `stream` up to `windowEnd` has been yielded; `last` ends the read. */
  | { kind: "checkpoint"; stream: string; windowEnd: number; last: boolean }
  | { kind: "failed"; stream: string; error: unknown };
