import { above, addSpan, coveredThrough, intersectSpans, unionSpans, type Span } from "../state/spans.js";
import type { ReadState, StreamState } from "../state/types.js";
import { stateFor } from "../state/types.js";
import type { AccountScope } from "../stripe/accounts.js";
import { rootOf } from "../streams/facts.js";
import type { StreamDef } from "../streams/types.js";
import type { ReadOptions } from "./context.js";
import { decideMode, type ListProgress, type Phase } from "./modes.js";
import type { Selection } from "./selection.js";

/** A selected stream fed by a task, with how its state follows the task's progress. */
export interface Consumer {
  selection: Selection;
  checkpoint: (progress: ListProgress) => StreamState;
  /** Created ranges this stream already has (a list task skips its parents there for it). */
  done: Span[];
}

/**
 * One pass over a top-level list. Its records feed the stream itself (when
 * selected) and every selected child stream read the same way, so a parent is
 * listed once however many of its children are read.
 */
export interface ListTask {
  kind: "list";
  def: StreamDef;
  from: number;
  to: number;
  /** Created ranges already read (an interrupted read's progress). */
  done: Span[];
  /** Lists without a created filter: continue after this id. */
  after?: string;
  self?: Consumer;
  children: Consumer[];
}

/** One stream read from the Events API over created [from, to]. */
export interface EventsTask {
  kind: "events";
  from: number;
  to: number;
  consumer: Consumer;
}

/** One report stream, run over windows from `from` (see report-reader.ts). */
export interface ReportTask {
  kind: "report";
  from: number;
  consumer: Consumer;
}

export type ReadTask = ListTask | EventsTask | ReportTask;

export interface Job {
  account: AccountScope;
  task: ReadTask;
}

export interface PlanInputs {
  selections: readonly Selection[];
  accounts: readonly AccountScope[];
  /** The account whose state a flat (single-account) state describes. */
  primaryAccount: string;
  state: ReadState;
  now: number;
  options: ReadOptions;
  phase: Phase;
}

/** Catalog, state and options in; the tasks of every account out, and the notes to log. */
export function planJobs(inputs: PlanInputs): { jobs: Job[]; notes: Array<{ account: string; message: string }> } {
  const jobs: Job[] = [];
  const notes: Array<{ account: string; message: string }> = [];
  for (const account of inputs.accounts) {
    const lists = new Map<string, ListTask>();
    for (const selection of inputs.selections) {
      const plan = decideMode({
        def: selection.def,
        incremental: selection.incremental,
        state: stateFor(inputs.state, selection.def.name, account.id, inputs.primaryAccount),
        now: inputs.now,
        startDate: inputs.options.startDate,
        lookbackDays: inputs.options.lookbackDays,
        phase: inputs.phase,
      });
      if (!plan) continue;
      if (plan.kind === "list" && plan.note) notes.push({ account: account.id, message: plan.note });
      if (plan.kind === "events") {
        jobs.push({ account, task: { kind: "events", from: plan.from, to: plan.to, consumer: { selection, checkpoint: plan.checkpoint, done: [] } } });
        continue;
      }
      if (plan.kind === "report") {
        jobs.push({ account, task: { kind: "report", from: plan.from, consumer: { selection, checkpoint: plan.checkpoint, done: [] } } });
        continue;
      }
      const root = rootOf(selection.def);
      // Streams of one list share one pass, which reads what any of them still needs; each
      // skips the parents it already has, and its state adds what it had to the pass's progress.
      const key = JSON.stringify([root.name, plan.from, plan.to, plan.after]);
      const consumer: Consumer = { selection, checkpoint: (p) => plan.checkpoint(withDone(p, plan.from, plan.done)), done: plan.done };
      let task = lists.get(key);
      if (!task) {
        task = { kind: "list", def: root, from: plan.from, to: plan.to, done: plan.done, after: plan.after, children: [] };
        lists.set(key, task);
        jobs.push({ account, task });
      } else {
        task.done = intersectSpans(task.done, plan.done);
      }
      if (selection.def.parent) task.children.push(consumer);
      else task.self = consumer;
    }
  }
  return { jobs, notes };
}

/** A pass's progress, plus the ranges a stream had before the pass began. */
function withDone(p: ListProgress, from: number, done: readonly Span[]): ListProgress {
  if (!done.length || p.complete) return p;
  let spans = unionSpans(p.spans, done);
  if (p.through >= from) spans = addSpan(spans, [from, p.through]);
  const through = coveredThrough(spans, from);
  return { ...p, through, spans: above(spans, through) };
}

export function consumersOf(task: ReadTask): Consumer[] {
  if (task.kind !== "list") return [task.consumer];
  return task.self ? [task.self, ...task.children] : task.children;
}
