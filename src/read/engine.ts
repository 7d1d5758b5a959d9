import { ConfigError } from "../errors.js";
import type { StreamError } from "../errors.js";
import { stateFor, type ReadState } from "../state/types.js";
import type { AccountScope } from "../stripe/accounts.js";
import type { StripeClient } from "../stripe/client.js";
import { PAGE_SIZE } from "../stripe/pagination.js";
import { StripeApiError } from "../stripe/errors.js";
import { unavailableNote } from "./records.js";
import type { FetchItem, ReadContext, ReadOptions } from "./context.js";
import { readEvents } from "./events-reader.js";
import { Ledger } from "./ledger.js";
import { readList } from "./list-reader.js";
import { readReport } from "./report-reader.js";
import type { Phase } from "./modes.js";
import { PageBudget } from "./page-budget.js";
import { consumersOf, planJobs, type Job } from "./planner.js";
import { keptFields, project } from "./projection.js";
import type { Selection } from "./selection.js";
import type { ReadSink } from "./sink.js";

export interface ReadRequest {
  client: StripeClient;
  accounts: readonly AccountScope[];
  /** The account a flat (single-account) state describes: config account_id. */
  primaryAccount: string;
  /** Records carry `account_id` and state keeps a cursor per account. */
  multiAccount: boolean;
  selections: readonly Selection[];
  state: ReadState;
  /** Wall-clock time the read starts, epoch seconds. */
  now: number;
  options: ReadOptions;
  sink: ReadSink;
  /** A capture that backfills and polls side by side plans one part at a time. */
  phase?: Phase;
}

export interface ReadResult {
  /** Streams that ended INCOMPLETE, with the reason. */
  failed: StreamError[];
}

/** Waiting checkpoints are printed within a quarter of a second; a progress LOG every five seconds. */
const TICK_MS = 250;
const PROGRESS_EVERY_TICKS = 20;

/**
 * The one read engine: every selected stream of every account, all tasks at once
 * (the shared client bounds what is in flight), records and checkpoints passed
 * on in the order the fetchers yield them. The ledger owns status and state. A
 * stream that fails ends INCOMPLETE with its reason; the others go on; a failure
 * of the whole connection (the key, the account) ends the read.
 */
export async function runRead(req: ReadRequest): Promise<ReadResult> {
  const { jobs, notes } = planJobs({ ...req, phase: req.phase ?? "all" });
  const emptyNotes = new Map(req.selections.flatMap((s) => (s.def.whenUnavailable ? [[s.def.name, s.def.whenUnavailable] as const] : [])));
  const ledger = new Ledger(req.sink, req.selections.map((s) => s.def.name), req.multiAccount, emptyNotes);
  const log = (level: "INFO" | "WARN" | "ERROR", message: string) => void req.sink.log(level, message);
  for (const note of notes) log("INFO", req.multiAccount ? `${note.message} (account ${note.account})` : note.message);
  for (const s of req.selections) {
    for (const account of req.accounts) ledger.seed(s.def.name, account.id, stateFor(req.state, s.def.name, account.id, req.primaryAccount));
  }
  for (const job of jobs) for (const c of consumersOf(job.task)) ledger.expect(c.selection.def.name);
  // Objects fetched but not yet printed, across all streams: what memory holds of the data at most.
  const pages = new PageBudget(PAGE_SIZE, () => req.client.neededInFlight());

  await ledger.start();
  const started = Date.now();
  let ticks = 0;
  const timer = setInterval(() => {
    void ledger.flushDue();
    if (++ticks % PROGRESS_EVERY_TICKS === 0) reportProgress(req, ledger, started, log);
  }, TICK_MS);
  timer.unref();
  try {
    await Promise.all(jobs.map((job) => runJob(req, job, ledger, { client: req.client, account: job.account, now: req.now, options: req.options, log, pages })));
  } finally {
    clearInterval(timer);
  }
  return { failed: ledger.failures };
}

async function runJob(req: ReadRequest, job: Job, ledger: Ledger, ctx: ReadContext): Promise<void> {
  const consumers = consumersOf(job.task);
  const accountId = job.account.id;
  const kept = new Map(consumers.map((c) => [c.selection.def.name, keptFields(c.selection, req.multiAccount)]));
  const handle = async (item: FetchItem): Promise<void> => {
    if (item.kind === "checkpoint") {
      const open = consumers.filter((c) => ledger.open(c.selection.def.name, accountId));
      await ledger.checkpoint(accountId, open.map((c) => ({ stream: c.selection.def.name, state: c.checkpoint(item.progress) })));
    } else if (!ledger.open(item.stream, accountId)) {
      return;
    } else if (item.kind === "record") {
      const data = req.multiAccount ? { ...item.data, account_id: accountId } : item.data;
      await ledger.record(item.stream, project(data, kept.get(item.stream)), item.op);
    } else {
      await ledger.fail(item.stream, accountId, item.error);
    }
  };
  try {
    const task = job.task;
    const items = task.kind === "list" ? readList(ctx, task) : task.kind === "events" ? readEvents(ctx, task) : readReport(ctx, task);
    for await (const item of items) await handle(item);
  } catch (error) {
    if (error instanceof ConfigError || (error instanceof StripeApiError && error.fatal)) throw error;
    for (const c of consumers) {
      const name = c.selection.def.name;
      if (!ledger.open(name, accountId)) continue;
      const note = unavailableNote(c.selection.def, error);
      if (note) ctx.log("WARN", note);
      else await ledger.fail(name, accountId, error);
    }
  }
  for (const c of consumers) await ledger.taskDone(c.selection.def.name);
}

/** A LOG line with what the read has done so far. */
function reportProgress(req: ReadRequest, ledger: Ledger, started: number, log: (level: "INFO", message: string) => void): void {
  const { requests, rateLimited } = req.client.stats;
  const seconds = (Date.now() - started) / 1000;
  log(
    "INFO",
    `progress: ${ledger.totalRecords()} records, ${requests} requests (${(requests / seconds).toFixed(1)}/s), ${rateLimited} answered 429, after ${seconds.toFixed(0)} s`,
  );
}
