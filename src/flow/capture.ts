import { parseConfig, type Config } from "../config.js";
import { ConfigError } from "../errors.js";
import type { Output } from "../output.js";
import { readOptionsFrom } from "../read/context.js";
import { runRead } from "../read/engine.js";
import { SETTLE_SECONDS, type Phase } from "../read/modes.js";
import type { ReadSink } from "../read/sink.js";
import { encodeStates, type AirbyteBlob } from "../state/airbyte.js";
import { bindingStatePatch, decodeBindingState } from "../state/flow.js";
import type { ReadState, StreamState } from "../state/types.js";
import { accountsToRead, type AccountScope } from "../stripe/accounts.js";
import { clientFor } from "../stripe/client-for.js";
import type { StripeClient } from "../stripe/client.js";
import { emitConfigUpdate } from "./config-update.js";
import type { FlowLog } from "./log.js";
import { parseBinding, type FlowRequest, type ParsedBinding } from "./requests.js";

/** The capture exits on its own after this long, so the runtime restarts it fresh. */
export const MAX_RUNTIME_MS = 24 * 3600 * 1000;

/**
 * Flow's `open`: answer `opened`, then capture every binding for good. Each
 * binding backfills from its list while polling the Events API every
 * `interval`; all bindings run at once through one client. Documents are
 * followed by the checkpoint that covers them, keyed by the binding's stateKey.
 */
export async function openCapture(request: NonNullable<FlowRequest["open"]>, output: Output, log: FlowLog): Promise<number> {
  const config = parseConfig(request.capture.config);
  const bindings = request.capture.bindings.map(parseBinding);
  const client = clientFor(config, { onRefreshTokenRotated: (token) => emitConfigUpdate(log, request.capture.config, token) });
  const accounts = await accountsToRead(client, config);
  await output.emit({ opened: {} });
  log.write("info", "capture opened", { bindings: bindings.map((b) => b.def.name), accounts: accounts.map((a) => a.id) });

  const deadline = Date.now() + MAX_RUNTIME_MS;
  const failure: { error?: ConfigError } = {};
  await Promise.all(
    bindings.map((binding, index) => {
      const saved = decodeBindingState(request.state, binding);
      return poll({ binding, index, client, config, accounts, output, log, deadline, failure, shared: { state: saved } });
    }),
  );
  if (failure.error) {
    log.write("error", failure.error.message);
    return 1;
  }
  log.write("info", "capture ran its full time; exiting so the runtime restarts it");
  return 0;
}

interface BindingRun {
  binding: ParsedBinding;
  index: number;
  client: StripeClient;
  config: Config;
  accounts: AccountScope[];
  output: Output;
  log: FlowLog;
  deadline: number;
  failure: { error?: ConfigError };
  /** The binding's state as last checkpointed (shared by its backfill and its polls), and its document. */
  shared: { state: ReadState; blob?: AirbyteBlob };
}

/**
 * One binding. An event-driven stream of a single account runs its backfill and
 * its events polling side by side: the backfill moves its list position, the
 * polls move the events cursor (set to where the backfill began), and both
 * checkpoint into the same state. Other streams (created windows, full refresh,
 * several accounts) are read whole every interval.
 */
async function poll(run: BindingRun): Promise<void> {
  const { binding, config, accounts } = run;
  const sideBySide = (binding.def.incremental === "events" || binding.def.incremental === "parent") && accounts.length === 1;
  if (!sideBySide) return repeat(run, "all", (_current, next) => next);

  const account = accounts[0]!.id;
  const current = run.shared.state.streams.get(binding.def.name)?.flat;
  if (current?.cursor === undefined) {
    // A new backfill: the events cursor starts now, the list from start_date.
    const startDate = readOptionsFrom(config).startDate;
    const fresh: StreamState = { cursor: Math.floor(Date.now() / 1000) - SETTLE_SECONDS, list: { through: startDate - 1 } };
    await checkpoint(run, new Map([[account, fresh]]));
  }
  await Promise.all([
    repeat(run, "backfill", (now, next) => ({ ...now, list: next.list }), true),
    repeat(run, "events", (now, next) => ({ ...now, cursor: next.cursor })),
  ]);
}

/** Prints the checkpoint that moves the binding's state to `states` (a merge patch from the last one). */
async function checkpoint(run: BindingRun, states: ReadonlyMap<string, StreamState>): Promise<void> {
  const { binding, config, accounts } = run;
  const blob = encodeStates(binding.def, states, config.connected_accounts !== undefined, accounts.length);
  const state = bindingStatePatch(binding.stateKey, run.shared.blob, blob);
  run.shared.blob = blob;
  const primary = states.get(config.account_id);
  run.shared.state = { streams: new Map([[binding.def.name, { flat: primary ?? {}, accounts: states }]]) };
  await run.output.emit({ checkpoint: { state: { updated: state, mergePatch: true } } });
}

/**
 * Reads the binding in `phase` every interval until the deadline (or once, for a
 * backfill), folding each checkpoint into the shared state with `merge`.
 */
async function repeat(run: BindingRun, phase: Phase, merge: (current: StreamState, next: StreamState) => StreamState, once = false): Promise<void> {
  const { binding, client, config, accounts, output, deadline, failure } = run;
  while (Date.now() < deadline && !failure.error) {
    const started = Date.now();
    const sink = bindingSink(run, merge);
    const result = await runRead({
      client,
      accounts,
      primaryAccount: config.account_id,
      multiAccount: config.connected_accounts !== undefined,
      selections: [{ def: binding.def, incremental: binding.def.incremental !== null }],
      state: run.shared.state,
      now: Math.floor(Date.now() / 1000),
      options: readOptionsFrom(config),
      sink,
      phase,
    });
    // A stream without a cursor re-reads in full each time: commit what it captured.
    if (sink.uncommitted > 0) await output.emit({ checkpoint: { state: { updated: {}, mergePatch: true } } });
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

/** Documents and checkpoints of one read of a binding; counts documents no checkpoint covers yet. */
function bindingSink(run: BindingRun, merge: (current: StreamState, next: StreamState) => StreamState): ReadSink & { uncommitted: number } {
  const { binding, index, output, log } = run;
  const name = binding.def.name;
  const sink = {
    uncommitted: 0,
    record: (_stream: string, data: Record<string, unknown>, op: string) => {
      sink.uncommitted++;
      return output.emit({ captured: { binding: index, doc: { ...data, _meta: { op } } } });
    },
    state: (_stream: string, states: ReadonlyMap<string, StreamState>) => {
      sink.uncommitted = 0;
      const merged = new Map<string, StreamState>();
      for (const [account, next] of states) merged.set(account, merge(stateOf(run, account), next));
      return checkpoint(run, merged);
    },
    status: () => undefined,
    error: (_stream: string, message: string, failureType: string) => {
      log.write(failureType === "transient_error" ? "warn" : "error", message, { binding: name });
      return undefined;
    },
    log: (level: string, message: string) => {
      log.write(level === "ERROR" ? "error" : level === "WARN" ? "warn" : "info", message, { binding: name });
      return undefined;
    },
  };
  return sink;
}

function stateOf(run: BindingRun, account: string): StreamState {
  const entry = run.shared.state.streams.get(run.binding.def.name);
  return entry?.accounts?.get(account) ?? (account === run.config.account_id ? entry?.flat : undefined) ?? {};
}
