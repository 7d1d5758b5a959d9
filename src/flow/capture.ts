import { parseConfig } from "../config.js";
import type { Output } from "../output.js";
import { decodeBindingState } from "../state/flow.js";
import { accountsToRead } from "../stripe/accounts.js";
import { clientFor } from "../stripe/client-for.js";
import { BindingCapture, type CaptureContext } from "./binding.js";
import { emitConfigUpdate } from "./config-update.js";
import type { FlowLog } from "./log.js";
import { parseBinding, type FlowRequest } from "./requests.js";

/** The capture exits on its own after this long, so the runtime restarts it fresh. */
export const MAX_RUNTIME_MS = 24 * 3600 * 1000;

/**
 * Flow's `open`: answer `opened`, then keep every binding current (see
 * BindingCapture), all through one rate-limited client, until the deadline or
 * a failure that needs the user. Resolves with the exit code.
 */
export async function openCapture(request: NonNullable<FlowRequest["open"]>, output: Output, log: FlowLog, stop: AbortSignal): Promise<number> {
  const config = parseConfig(request.capture.config);
  const bindings = request.capture.bindings.map(parseBinding);
  const client = clientFor(config, { onRefreshTokenRotated: (token) => emitConfigUpdate(log, request.capture.config, token) });
  const accounts = await accountsToRead(client, config);
  await output.emit({ opened: {} });
  log.status("Capture started.", { bindings: bindings.map((b) => b.def.name), accounts: accounts.map((a) => a.id) });

  const ctx: CaptureContext = { client, config, accounts, output, log, deadline: Date.now() + MAX_RUNTIME_MS, failure: {} };
  stop.addEventListener("abort", () => (ctx.deadline = 0), { once: true });
  await Promise.all(bindings.map((binding, index) => new BindingCapture(binding, index, ctx, decodeBindingState(request.state, binding)).run()));
  if (ctx.failure.error) {
    log.write("error", ctx.failure.error.message);
    return 1;
  }
  log.write("info", stop.aborted ? "stdin closed: capture stopped" : "capture ran its full time; exiting so the runtime restarts it");
  return 0;
}
