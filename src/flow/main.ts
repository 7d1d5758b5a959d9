import { createInterface } from "node:readline";
import { ConfigError, ConnectorError, describeZodIssue } from "../errors.js";
import type { Output } from "../output.js";
import { openCapture } from "./capture.js";
import { FlowLog, logLevel } from "./log.js";
import { RequestSchema, type FlowRequest } from "./requests.js";
import { applyResponse, discoverResponse, specResponse, validateResponse } from "./rpc.js";

/**
 * Flow mode: Estuary Flow's capture protocol with the JSON codec, as its runtime
 * drives a connector. One process serves a session of requests on stdin, in
 * order: the runtime first sends an internal `spec`, then the real request
 * (discover, validate, apply or open) on the same stdin (estuary/flow
 * crates/connector/src/protocol.rs, `start`: "having all other connectors
 * service successive unary requests on a single session"). Each unary request
 * gets its response line; `open` starts the capture, which runs while stdin
 * stays open (acknowledgements, never asked for, are ignored); stdin's end
 * stops it. At EOF after unary requests, exit 0. A failure exits 1 with its
 * message as the last stderr line.
 */
export async function runFlow(argv: readonly string[], output: Output): Promise<number> {
  const log = new FlowLog(logLevel(argv));
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
  try {
    for (let request = await nextRequest(lines); request; request = await nextRequest(lines)) {
      if (request.open) return await capture(request.open, lines, output, log);
      if (!request.acknowledge) await output.emit(unaryResponse(request));
    }
    return 0;
  } catch (error) {
    return fail(error, log);
  }
}

type Lines = AsyncIterator<string>;

/** The next request on stdin, or undefined at its end. */
async function nextRequest(lines: Lines): Promise<FlowRequest | undefined> {
  for (;;) {
    const next = await lines.next();
    if (next.done) return undefined;
    if (next.value.trim() !== "") return parseRequest(next.value);
  }
}

/** Runs the capture while stdin stays open: only acknowledgements may follow an open, and stdin's end stops it. */
async function capture(open: NonNullable<FlowRequest["open"]>, lines: Lines, output: Output, log: FlowLog): Promise<number> {
  const stdinClosed = new AbortController();
  const running = openCapture(open, output, log, stdinClosed.signal);
  const rest = (async () => {
    for (let request = await nextRequest(lines); request; request = await nextRequest(lines)) {
      if (!request.acknowledge) throw new ConfigError(`Unexpected request during a capture: ${Object.keys(request).join(", ")}.`);
    }
    stdinClosed.abort();
  })();
  return Promise.race([running, rest.then(() => running)]);
}

function parseRequest(line: string): FlowRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new ConfigError("A request on stdin is not valid JSON.");
  }
  const parsed = RequestSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`Invalid request: ${describeZodIssue(parsed.error)}`);
  return parsed.data;
}

function unaryResponse(request: FlowRequest): object {
  if (request.spec) return specResponse();
  if (request.discover) return discoverResponse(request.discover);
  if (request.validate) return validateResponse(request.validate);
  if (request.apply) return applyResponse(request.apply);
  const keys = Object.keys(request).join(", ") || "nothing";
  throw new ConfigError(`Unsupported request: expected one of spec, discover, validate, apply, open, acknowledge; got ${keys}.`);
}

async function fail(error: unknown, log: FlowLog): Promise<number> {
  const message = error instanceof ConnectorError ? error.message : `internal error: ${(error as Error).message}`;
  if (!(error instanceof ConnectorError)) log.write("debug", "stack", { stack: (error as Error).stack });
  log.write("error", message);
  return 1;
}
