import type { Phase } from "../read/modes.js";
import type { ReadSink } from "../read/sink.js";
import type { BindingCapture } from "./binding.js";

/**
 * One read of a binding as Flow documents: each record a `captured` document
 * carrying `account_id` (whatever the number of accounts, so the collection's
 * shape and key never change when one is added) and `_meta.op`; each state the
 * binding absorbs becomes a checkpoint. Logs go to stderr as JSON.
 */
export function documentSink(binding: BindingCapture, phase: Phase): ReadSink {
  const { output, log, config } = binding.ctx;
  const name = binding.binding.def.name;
  const listOp = binding.listOp();
  return {
    record: (_stream, data, op) =>
      output.emit({
        captured: {
          binding: binding.index,
          doc: { ...data, account_id: data.account_id ?? config.account_id, _meta: { op: op === "c" && phase !== "events" ? listOp : op } },
        },
      }),
    state: (_stream, states) => binding.absorb(phase, states),
    status: (_stream, status) => {
      if (status === "COMPLETE" && phase === "backfill") log.status(`Backfill of ${name} is complete.`, { binding: name });
      return undefined;
    },
    error: (_stream, message, failureType) => {
      log.write(failureType === "transient_error" ? "warn" : "error", message, { binding: name });
      return undefined;
    },
    log: (level, message) => {
      log.write(level === "ERROR" ? "error" : level === "WARN" ? "warn" : "info", message, { binding: name });
      return undefined;
    },
  };
}
