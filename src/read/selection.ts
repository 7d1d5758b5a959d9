import type { StreamDef } from "../streams/types.js";

/** One stream a read is asked for, whatever protocol asked. */
export interface Selection {
  def: StreamDef;
  /** Read incrementally (from the state) rather than in full. */
  incremental: boolean;
  /**
   * The top-level fields the records should carry (Airbyte's column selection: the
   * properties of the configured stream's json_schema). Undefined: every field.
   */
  fields?: ReadonlySet<string>;
}
