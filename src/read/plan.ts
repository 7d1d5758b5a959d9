import type { SelectedStream } from "../protocol/catalog.js";
import type { CheckpointFn } from "../state/modes.js";
import { STREAM_BY_NAME } from "../streams/table.js";
import type { StreamDef } from "../streams/types.js";

/** A selected stream with how this read checkpoints it (none in full refresh). */
export interface Consumer {
  stream: SelectedStream;
  checkpoint?: CheckpointFn;
}

/**
 * One pass over a top-level list from `from`. Its records feed the stream itself
 * (when selected) and every selected child stream read the same way, so a parent
 * is listed once however many of its children are read.
 */
export interface ListTask {
  kind: "list";
  def: StreamDef;
  from: number;
  self?: Consumer;
  children: Consumer[];
}

/** One stream read from the Events API from `from` on. */
export interface EventsTask {
  kind: "events";
  from: number;
  consumer: Consumer;
}

export type ReadTask = ListTask | EventsTask;

export interface PlannedStream extends Consumer {
  mode: "list" | "events";
  from: number;
}

export function planTasks(streams: readonly PlannedStream[]): ReadTask[] {
  const lists = new Map<string, ListTask>();
  const tasks: ReadTask[] = [];
  for (const planned of streams) {
    const consumer: Consumer = { stream: planned.stream, checkpoint: planned.checkpoint };
    if (planned.mode === "events") {
      tasks.push({ kind: "events", from: planned.from, consumer });
      continue;
    }
    const def = planned.stream.def;
    const root = def.parent ? parentOf(def) : def;
    const key = `${root.name}@${planned.from}`;
    let task = lists.get(key);
    if (!task) {
      task = { kind: "list", def: root, from: planned.from, children: [] };
      lists.set(key, task);
      tasks.push(task);
    }
    if (def.parent) task.children.push(consumer);
    else task.self = consumer;
  }
  return tasks;
}

export function parentOf(def: StreamDef): StreamDef {
  const parent = def.parent && STREAM_BY_NAME.get(def.parent.stream);
  if (!parent) throw new Error(`stream table: ${def.name} names unknown parent ${def.parent?.stream}`);
  return parent;
}

export function consumersOf(task: ReadTask): Consumer[] {
  if (task.kind === "events") return [task.consumer];
  return task.self ? [task.self, ...task.children] : task.children;
}
