import type { SelectedStream } from "../protocol/catalog.js";
import { STREAM_BY_NAME } from "../streams/table.js";
import type { StreamDef } from "../streams/types.js";

/**
 * One pass over a top-level list. Its records feed the stream itself (when
 * selected) and every selected child stream, so a parent is listed once however
 * many of its children are read.
 */
export interface RootRead {
  def: StreamDef;
  /** The top-level stream itself, when selected. */
  self?: SelectedStream;
  children: SelectedStream[];
}

export function planReads(selected: readonly SelectedStream[]): RootRead[] {
  const roots = new Map<string, RootRead>();
  const rootFor = (def: StreamDef): RootRead => {
    let root = roots.get(def.name);
    if (!root) {
      root = { def, children: [] };
      roots.set(def.name, root);
    }
    return root;
  };
  for (const stream of selected) {
    const parentName = stream.def.parent?.stream;
    if (!parentName) {
      rootFor(stream.def).self = stream;
      continue;
    }
    const parent = STREAM_BY_NAME.get(parentName);
    if (!parent) throw new Error(`stream table: ${stream.def.name} names unknown parent ${parentName}`);
    rootFor(parent).children.push(stream);
  }
  return [...roots.values()];
}
