import { createInterface } from "node:readline";
import { ConnectorError, ConfigError } from "../errors.js";
import type { Output } from "../output.js";
import { openCapture } from "./capture.js";
import { FlowLog, logLevelFromArgs } from "./log.js";
import { RequestSchema } from "./requests.js";
import { applyResponse, discoverResponse, specResponse, validateResponse } from "./rpc.js";

/** The first JSON line on stdin: Flow sends one request per process (acks may follow an open). */
function firstLine(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    let done = false;
    lines.on("line", (line) => {
      if (done || line.trim() === "") return;
      done = true;
      lines.close();
      resolve(line);
    });
    lines.on("close", () => {
      if (!done) resolve(undefined);
    });
  });
}

/**
 * Flow mode: Estuary Flow's capture protocol with the JSON codec. Responses on
 * stdout, logs as JSON lines on stderr; an error ends with exit 1 and its
 * message as the last stderr line.
 */
export async function runFlow(argv: readonly string[], output: Output): Promise<number> {
  const log = new FlowLog(logLevelFromArgs(argv) ?? "info");
  try {
    const line = await firstLine();
    if (line === undefined) throw new ConfigError("Flow mode (no arguments) expects one JSON request on stdin, and stdin was empty. Use --help for the Airbyte commands.");
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new ConfigError("The request on stdin is not valid JSON.");
    }
    const parsed = RequestSchema.safeParse(raw);
    if (!parsed.success) throw new ConfigError(`Invalid request: ${parsed.error.issues[0]?.path.join(".") ?? ""}: ${parsed.error.issues[0]?.message ?? ""}`);
    const request = parsed.data;
    if (request.spec) await output.emit(specResponse());
    else if (request.discover) await output.emit(discoverResponse(request.discover));
    else if (request.validate) await output.emit(validateResponse(request.validate));
    else if (request.apply) await output.emit(applyResponse(request.apply));
    else if (request.open) return await openCapture(request.open, output, log);
    else throw new ConfigError(`Unsupported request: expected one of spec, discover, validate, apply, open; got ${Object.keys(raw as object).join(", ") || "nothing"}.`);
    return 0;
  } catch (error) {
    const message = error instanceof ConnectorError ? error.message : `internal error: ${(error as Error).message}`;
    if (!(error instanceof ConnectorError)) log.write("debug", "stack", { stack: (error as Error).stack });
    log.write("error", message);
    return 1;
  }
}
