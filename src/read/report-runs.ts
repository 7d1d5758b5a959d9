import { ConnectorError } from "../errors.js";
import { FailedObjectAnswer } from "../stripe/errors.js";
import type { ReportSpec } from "../streams/reports.js";
import type { ReadContext } from "./context.js";

/** A report run as Stripe returns it (only what the reader uses). */
export interface ReportRun {
  id: string;
  /** pending, then succeeded or (rarely) failed; an open string in the SDK. */
  status: string;
  error?: string | null;
  result?: { id: string } | null;
}

/** Polls of a pending run start this far apart and double up to MAX_POLL_MS. */
const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 30_000;
const DEFAULT_WAIT_SECONDS = 600;

/**
 * A report run that failed on Stripe's side, or stayed pending past the wait
 * allowed: the stream stops there (what earlier windows read is checkpointed),
 * and the next sync runs the window again. Stripe asks to treat a failed run
 * like a 500.
 */
export class ReportRunError extends ConnectorError {
  constructor(message: string) {
    super(message, "transient_error");
    this.name = "ReportRunError";
  }
}

/**
 * Creates a run of `spec` with `parameters` and waits until it has succeeded;
 * returns the id of its result file. Between polls it only sleeps: a pending
 * run holds no request slot, so many runs can wait at once. `what` names the
 * run's window in messages; `signal` stops the waiting when the stream has failed.
 */
export async function runReport(
  ctx: ReadContext,
  spec: ReportSpec,
  parameters: Record<string, unknown>,
  what: string,
  signal: AbortSignal,
): Promise<string> {
  const account = ctx.account.header;
  let run = await failedAsRun("", ctx.client.post<ReportRun>("/v1/reporting/report_runs", { report_type: spec.type, parameters }, { account }));
  const waitMs = (ctx.options.reportWaitSeconds ?? DEFAULT_WAIT_SECONDS) * 1000;
  const deadline = Date.now() + waitMs;
  let pause = FIRST_POLL_MS;
  while (run.status === "pending") {
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new ReportRunError(`report run ${run.id} (${spec.type}, ${what}) was still pending after ${Math.round(waitMs / 1000)} s (retry_max_seconds); the next sync runs this window again.`);
    }
    await sleep(Math.min(pause, left), signal);
    if (signal.aborted) throw new ReportRunError(`report run ${run.id} (${spec.type}, ${what}) was abandoned: an earlier window failed.`);
    pause = Math.min(MAX_POLL_MS, pause * 2);
    run = await failedAsRun(run.id, ctx.client.get<ReportRun>(`/v1/reporting/report_runs/${encodeURIComponent(run.id)}`, {}, { account, priority: "poll", endpoint: "/v1/reporting/report_runs/{report_run}" }));
  }
  if (run.status === "succeeded" && run.result?.id) return run.result.id;
  const why = run.status === "failed" ? `failed: ${run.error ?? "Stripe gave no reason"}` : `ended with status "${run.status}" and no result file`;
  throw new ReportRunError(`report run ${run.id} (${spec.type}, ${what}) ${why}. The next sync runs this window again.`);
}

/**
 * A failed run's answer carries `error: "<reason>"`, which the SDK mistakes for
 * an OAuth error and throws (see FailedObjectAnswer): it is the run, failed.
 */
async function failedAsRun(id: string, answer: Promise<ReportRun>): Promise<ReportRun> {
  try {
    return await answer;
  } catch (error) {
    if (error instanceof FailedObjectAnswer) return { id: id || "(new run)", status: "failed", error: error.detail };
    throw error;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
