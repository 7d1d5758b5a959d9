import type { StreamDef } from "../streams/types.js";

/** One stream a read is asked for, whatever protocol asked. */
export interface Selection {
  def: StreamDef;
  /** Read incrementally (from the state) rather than in full. */
  incremental: boolean;
}
