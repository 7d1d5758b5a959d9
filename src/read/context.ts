import { startDateSeconds, type Config } from "../config.js";
import type { AccountScope } from "../stripe/accounts.js";
import type { StripeClient } from "../stripe/client.js";
import type { ListProgress } from "./modes.js";
import type { PageBudget } from "./page-budget.js";
import type { Op } from "./sink.js";

/** What a read needs of the user's config: nothing else reaches the fetchers. */
export interface ReadOptions {
  /** `start_date` as epoch seconds. */
  startDate: number;
  lookbackDays: number;
  /** Width of the created windows read when `adaptive` is off (and of the Events API windows), in days. */
  sliceDays: number;
  /** Split dense ranges into parts read in parallel (config adaptive_windows). */
  adaptive: boolean;
  /** How long a report run may stay pending before its stream fails (config retry_max_seconds; default 600). */
  reportWaitSeconds?: number;
}

/** What every fetcher of one account's read shares. */
export interface ReadContext {
  client: StripeClient;
  account: AccountScope;
  /** Wall-clock time the read started, epoch seconds. */
  now: number;
  options: ReadOptions;
  log: (level: "INFO" | "WARN" | "ERROR", message: string) => void;
  /** Pages fetched but not yet printed, shared by every list of the read. */
  pages: PageBudget;
}

export type StripeObject = Record<string, unknown>;

/** What a fetcher yields: records, then the checkpoint that covers them. */
export type FetchItem =
  | { kind: "record"; stream: string; data: StripeObject; op: Op }
  /** Everything the read's progress says is read has been yielded. */
  | { kind: "checkpoint"; progress: ListProgress }
  | { kind: "failed"; stream: string; error: unknown };

/** The options a read takes from the user's config. */
export function readOptionsFrom(
  config: Pick<Config, "start_date" | "lookback_window_days" | "slice_range" | "adaptive_windows" | "retry_max_seconds">,
): ReadOptions {
  return {
    startDate: startDateSeconds(config),
    lookbackDays: config.lookback_window_days,
    sliceDays: config.slice_range,
    adaptive: config.adaptive_windows,
    reportWaitSeconds: config.retry_max_seconds,
  };
}
