#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";
import { parseArgs, USAGE } from "./cli/args.js";
import { ConnectorError } from "./errors.js";
import { errorTrace, logMessage } from "./protocol/messages.js";
import { Output } from "./output.js";
import { redact } from "./secrets.js";
import { FlowLog, isFlowInvocation, logLevel } from "./flow/log.js";

// Each command loads only the modules it uses (Flow's, the SDK, zod): loading is most of a start.

// V8 lets the old generation grow to about four times what survived the last full
// GC before collecting again; a read's live data is small and its garbage is
// mostly pages that waited in the queue, so that headroom is what peak memory is
// made of. Doubling at most keeps peak memory flat at a few percent more CPU
// (the growing factor is read at every GC, so setting it here takes effect).
setFlagsFromString("--heap-growing-percent=100");

async function run(argv: readonly string[], output: Output): Promise<number> {
  const command = parseArgs(argv);
  switch (command.name) {
    case "help":
      process.stderr.write(USAGE + "\n");
      return 0;
    case "spec": {
      const { specMessage } = await import("./commands/spec.js");
      await output.emit(specMessage());
      return 0;
    }
    case "check": {
      const { check } = await import("./commands/check.js");
      await output.emit(await check(command.config, output));
      return 0;
    }
    case "discover": {
      const [{ parseConfig }, { discoverCatalog }, { readJsonFile }] = await Promise.all([
        import("./config.js"),
        import("./protocol/discover.js"),
        import("./protocol/json-file.js"),
      ]);
      const config = parseConfig(readJsonFile(command.config, "config"));
      await output.emit({ type: "CATALOG", catalog: discoverCatalog(config.connected_accounts !== undefined) });
      return 0;
    }
    case "read": {
      const { read } = await import("./commands/read.js");
      return read(command, output);
    }
  }
}

/** The human line on stderr: one line, whatever the message holds, with secrets masked. */
function oneLine(text: string): string {
  return redact(text).replace(/[\r\n\u0000]+/g, " ");
}

/** Every failure ends here: one line on stderr, a TRACE on stdout, never a stack trace outside the TRACE. */
async function fail(error: unknown, output: Output): Promise<number> {
  if (error instanceof ConnectorError) {
    await output.emit(errorTrace(error.message, error.failureType, { internalMessage: error.internalMessage }));
    process.stderr.write(oneLine(`source-stripe: ${error.message}`) + "\n");
    return 1;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  await output.emit(
    errorTrace(`Internal error: ${err.message}`, "system_error", { internalMessage: err.message, stackTrace: err.stack }),
  );
  process.stderr.write(oneLine(`source-stripe: internal error: ${err.message}`) + "\n");
  return 1;
}

const output = new Output();
const argv = process.argv.slice(2);
const flowMode = isFlowInvocation(argv);

/**
 * SIGTERM/SIGINT: stop printing at a line boundary, flush, exit 128+signal. The
 * last word goes where the protocol puts logs: an Airbyte LOG on stdout, or in
 * Flow mode a JSON log on stderr (Flow's stdout carries capture responses only).
 */
function stopOn(signal: NodeJS.Signals, code: number): void {
  process.once(signal, () => {
    if (flowMode) {
      new FlowLog(logLevel(argv)).write("warn", `Received ${signal}: stopping. The last checkpoint is where the capture resumes.`);
      output.close();
    } else {
      output.close(logMessage("WARN", `Received ${signal}: stopping. The last STATE printed is where the next read resumes.`));
    }
    void output.flush().then(() => process.exit(code));
  });
}
stopOn("SIGTERM", 143);
stopOn("SIGINT", 130);
// The consumer went away (SIGPIPE): nobody is left to tell, so end quietly.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(141);
  throw error;
});

let code: number;
if (flowMode && argv.length === 0 && process.stdin.isTTY) {
  // A person at a terminal, not Flow's runtime: say how to use it rather than wait for JSON.
  process.stderr.write(USAGE + "\n");
  code = 2;
} else {
  code = flowMode
    ? await import("./flow/main.js").then(({ runFlow }) => runFlow(argv, output))
    : await run(argv, output).catch((error: unknown) => fail(error, output));
}
await output.flush();
process.exit(code);
