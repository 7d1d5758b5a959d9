import { parseConfig, startDateSeconds, type Config } from "../config.js";
import { clientFor } from "../commands/client-for.js";
import { ConfigError } from "../errors.js";
import type { Output } from "../protocol/output.js";
import { runRead, type AccountScope } from "../read/engine.js";
import type { ReadSink } from "../read/sink.js";
import { EMPTY_STATE, parseState } from "../state/input.js";
import { decideMode, type Phase } from "../state/modes.js";
import { accountsToRead } from "../stripe/accounts.js";
import type { StripeClient } from "../stripe/client.js";
import type { FlowLog } from "./log.js";
import { mergePatch } from "./merge-patch.js";
import { parseBinding, type FlowRequest, type ParsedBinding } from "./requests.js";

/** The capture exits on its own after this long, so the runtime restarts it fresh. */
export const MAX_RUNTIME_MS = 24 * 3600 * 1000;
/** Stripe's lists and events settle within seconds: each poll stops this far behind now. */
export const EVENTS_LAG_SECONDS = 3;

type Blob = Record<string, unknown>;

/**
 * Flow's `open`: answer `opened`, then capture every binding for good. Each
 * binding backfills from its list while polling the Events API every
 * `interval`; all bindings run at once through one client. Documents are followed by the
 * checkpoint that covers them, keyed by the binding's stateKey.
 */
export async function openCapture(request: NonNullable<FlowRequest["open"]>, output: Output, log: FlowLog): Promise<number> {
  const config = parseConfig(request.capture.config);
  const bindings = request.capture.bindings.map(parseBinding);
  const saved = savedBindingStates(request.state);
  const client = clientFor(config);
  const accounts = await accountsToRead(client, config);
  await output.emit({ opened: {} });
  log.write("info", "capture opened", { bindings: bindings.map((b) => b.def.name), accounts: accounts.map((a) => a.id) });

  const deadline = Date.now() + MAX_RUNTIME_MS;
  const failure: { error?: ConfigError } = {};
  await Promise.all(
    bindings.map((binding, index) => poll({ binding, index, blob: saved[binding.stateKey], client, config, accounts, output, log, deadline, failure })),
  );
  if (failure.error) {
    log.write("error", failure.error.message);
    return 1;
  }
  log.write("info", "capture ran its full time; exiting so the runtime restarts it");
  return 0;
}

interface PollArgs {
  binding: ParsedBinding;
  index: number;
  blob: unknown;
  client: StripeClient;
  config: Config;
  accounts: AccountScope[];
  output: Output;
  log: FlowLog;
  deadline: number;
  failure: { error?: ConfigError };
}

/**
 * One binding. An event-driven stream of a single account runs its backfill and
 * its events polling side by side: the backfill moves `backfill_created`, the
 * polls move `updated` (the events cursor, set to the backfill's start when it
 * begins), and both checkpoint into the same state. Other streams (created
 * windows, full refresh, several accounts) are read whole every interval.
 */
async function poll(args: PollArgs): Promise<void> {
  const { binding, config, accounts } = args;
  const shared = { blob: args.blob as Blob | undefined };
  const sideBySide = (binding.def.incremental === "events" || binding.def.incremental === "parent") && accounts.length === 1;
  if (!sideBySide) return repeat(args, shared, "all", (_current, next) => next);

  const now = Math.floor(Date.now() / 1000) - EVENTS_LAG_SECONDS;
  const startDate = startDateSeconds(config);
  const cursor = shared.blob === undefined ? undefined : parseState({ [binding.def.name]: shared.blob }).streams.get(binding.def.name);
  const mode = decideMode({
    def: binding.def,
    incremental: true,
    cursor,
    now,
    startDate,
    lookbackDays: config.lookback_window_days,
    phase: "backfill",
  });
  if (mode?.mode === "list" && (cursor?.cursor === undefined || mode.note)) {
    if (mode.note) args.log.write("info", mode.note, { binding: binding.def.name });
    // A new backfill: the events cursor starts now, the list from start_date.
    await checkpoint(args, shared, { [binding.def.cursorField!]: now, backfill_created: startDate });
  }
  const field = binding.def.cursorField!;
  await Promise.all([
    repeat(args, shared, "backfill", (current, next) => {
      const merged = { ...current };
      if (next.backfill_created === undefined) delete merged.backfill_created;
      else merged.backfill_created = next.backfill_created;
      return merged;
    }, true),
    repeat(args, shared, "events", (current, next) => ({ ...current, [field]: next[field] })),
  ]);
}

/** Prints the checkpoint that moves the binding's state to `next` (a merge patch from the last one). */
function checkpoint(args: PollArgs, shared: { blob: Blob | undefined }, next: Blob): Promise<void> | undefined {
  const patch = mergePatch(shared.blob ?? {}, next);
  shared.blob = next;
  return args.output.emit({ checkpoint: { state: { updated: { bindingStateV1: { [args.binding.stateKey]: patch } }, mergePatch: true } } });
}

/**
 * Reads the binding in `phase` every interval until the deadline (or once, for a
 * backfill), folding each checkpoint into the shared state with `merge`.
 */
async function repeat(
  args: PollArgs,
  shared: { blob: Blob | undefined },
  phase: Phase,
  merge: (current: Blob, next: Blob) => Blob,
  once = false,
): Promise<void> {
  const { binding, index, client, config, accounts, output, log, deadline, failure } = args;
  const name = binding.def.name;
  while (Date.now() < deadline && !failure.error) {
    const started = Date.now();
    let uncommitted = 0;
    const sink: ReadSink = {
      record: (_stream, data, op) => {
        uncommitted++;
        return output.emit({ captured: { binding: index, doc: { ...data, _meta: { op } } } });
      },
      state: (_stream, next) => {
        uncommitted = 0;
        return checkpoint(args, shared, merge(shared.blob ?? {}, next));
      },
      status: () => undefined,
      error: (_stream, message, failureType) => {
        log.write(failureType === "transient_error" ? "warn" : "error", message, { binding: name });
        return undefined;
      },
      log: (level, message) => {
        log.write(level === "ERROR" ? "error" : level === "WARN" ? "warn" : "info", message, { binding: name });
        return undefined;
      },
    };
    const state = shared.blob === undefined ? EMPTY_STATE : parseState({ [name]: shared.blob });
    const result = await runRead(
      { client, config, now: Math.floor(Date.now() / 1000) - EVENTS_LAG_SECONDS, startDate: startDateSeconds(config) },
      accounts,
      [{ def: binding.def, syncMode: binding.def.incremental ? "incremental" : "full_refresh" }],
      sink,
      state,
      phase,
    );
    // A stream without a cursor re-reads in full each time: commit what it captured.
    if (uncommitted > 0) await output.emit({ checkpoint: { state: { updated: {}, mergePatch: true } } });
    const fatal = result.failed.find((e) => e.failureType === "config_error");
    if (fatal) {
      failure.error ??= new ConfigError(fatal.message);
      return;
    }
    if (once && result.failed.length === 0) return;
    const wait = Math.min(deadline, started + binding.intervalSeconds * 1000) - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

function savedBindingStates(state: unknown): Record<string, unknown> {
  const perBinding = (state as { bindingStateV1?: unknown } | undefined)?.bindingStateV1;
  if (perBinding === undefined) return {};
  if (perBinding === null || typeof perBinding !== "object" || Array.isArray(perBinding)) {
    throw new ConfigError("Invalid state: bindingStateV1 must be an object keyed by binding stateKey.");
  }
  return perBinding as Record<string, unknown>;
}
