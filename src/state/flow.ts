import { ConfigError } from "../errors.js";
import type { StreamDef } from "../streams/types.js";
import { decodeStreamBlob, encodeStates, type AirbyteBlob } from "./airbyte.js";
import { mergePatch } from "./merge-patch.js";
import type { AccountStates, ReadState } from "./types.js";

/**
 * Flow's state for a capture: `{"bindingStateV1": {"<stateKey>": <document>}}`.
 * Each document is the stream's state as the Airbyte side writes it
 * (`encodeStates`), so both protocols resume from the same facts, plus, under
 * `flow`, what the capture needs for its schedule. The runtime applies each
 * checkpoint as an RFC 7396 merge patch and hands the reduced result back in
 * `open` (estuary/flow crates/runtime/src/capture/protocol.rs, recv_connector_checkpoint).
 */
export interface FlowBinding {
  def: StreamDef;
  stateKey: string;
}

/** What a binding's capture keeps beside the stream's own state. */
export interface BindingProgress {
  /** When the latest full read of the binding (first backfill, or a scheduled re-read) began, epoch seconds. */
  fullReadStartedAt?: number;
  /** Full reads finished so far: after the first, listed objects are updates, not creations. */
  fullReadsDone: number;
}

export interface BindingState {
  read: ReadState;
  progress: BindingProgress;
}

/** The state a binding starts from. */
export function decodeBindingState(state: unknown, binding: FlowBinding): BindingState {
  const doc = bindingDocs(state)[binding.stateKey];
  if (doc === undefined) return { read: { streams: new Map() }, progress: { fullReadsDone: 0 } };
  const decoded = decodeStreamBlob(binding.def, doc);
  const flow = (doc as { flow?: unknown }).flow;
  const progress: BindingProgress = { fullReadsDone: 0 };
  if (flow !== undefined) {
    if (flow === null || typeof flow !== "object") throw new ConfigError(`Invalid state for binding ${binding.stateKey}: "flow" must be an object.`);
    const { full_read_started_at: started, full_reads_done: done } = flow as Record<string, unknown>;
    if (typeof started === "number") progress.fullReadStartedAt = started;
    if (typeof done === "number" && Number.isSafeInteger(done) && done >= 0) progress.fullReadsDone = done;
  }
  return { read: { streams: new Map([[binding.def.name, decoded]]) }, progress };
}

/** A binding's state document. */
export function encodeBindingState(def: StreamDef, states: AccountStates, progress: BindingProgress, accounts: { multiAccount: boolean; count: number }): AirbyteBlob {
  const doc = encodeStates(def, states, accounts.multiAccount, accounts.count);
  const flow: Record<string, number> = { full_reads_done: progress.fullReadsDone };
  if (progress.fullReadStartedAt !== undefined) flow.full_read_started_at = progress.fullReadStartedAt;
  return { ...doc, flow };
}

/** The checkpoint's state: the merge patch that moves the binding's document from `before` to `after`. */
export function bindingStatePatch(stateKey: string, before: AirbyteBlob | undefined, after: AirbyteBlob): object {
  return { bindingStateV1: { [stateKey]: mergePatch(before ?? {}, after) } };
}

function bindingDocs(state: unknown): Record<string, unknown> {
  if (state === undefined || state === null) return {};
  if (typeof state !== "object" || Array.isArray(state)) throw new ConfigError("Invalid state: expected an object with bindingStateV1.");
  const perBinding = (state as { bindingStateV1?: unknown }).bindingStateV1;
  if (perBinding === undefined) return {};
  if (perBinding === null || typeof perBinding !== "object" || Array.isArray(perBinding)) {
    throw new ConfigError("Invalid state: bindingStateV1 must be an object keyed by binding stateKey.");
  }
  return perBinding as Record<string, unknown>;
}
