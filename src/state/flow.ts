import { ConfigError } from "../errors.js";
import type { StreamDef } from "../streams/types.js";
import { decodeStreamBlob, type AirbyteBlob } from "./airbyte.js";
import { mergePatch } from "./merge-patch.js";
import type { ReadState } from "./types.js";

/**
 * Flow's state for a capture: `{"bindingStateV1": {"<stateKey>": <blob>}}`, each
 * blob the same document the Airbyte side writes for the binding's stream
 * (`encodeStates` in airbyte.ts), so both protocols resume from the same facts. The runtime applies
 * each checkpoint as an RFC 7396 merge patch and hands the result back in `open`.
 */
export interface FlowBinding {
  def: StreamDef;
  stateKey: string;
}

/** The state each binding starts from, keyed by stream name (as the engine takes it). */
export function decodeBindingState(state: unknown, binding: FlowBinding): ReadState {
  const blob = bindingBlobs(state)[binding.stateKey];
  if (blob === undefined) return { streams: new Map() };
  return { streams: new Map([[binding.def.name, decodeStreamBlob(binding.def, blob)]]) };
}

/** The checkpoint's state: the merge patch that moves the binding's document from `before` to `after`. */
export function bindingStatePatch(stateKey: string, before: AirbyteBlob | undefined, after: AirbyteBlob): object {
  return { bindingStateV1: { [stateKey]: mergePatch(before ?? {}, after) } };
}

function bindingBlobs(state: unknown): Record<string, unknown> {
  if (state === undefined || state === null) return {};
  if (typeof state !== "object" || Array.isArray(state)) throw new ConfigError("Invalid state: expected an object with bindingStateV1.");
  const perBinding = (state as { bindingStateV1?: unknown }).bindingStateV1;
  if (perBinding === undefined) return {};
  if (perBinding === null || typeof perBinding !== "object" || Array.isArray(perBinding)) {
    throw new ConfigError("Invalid state: bindingStateV1 must be an object keyed by binding stateKey.");
  }
  return perBinding as Record<string, unknown>;
}
