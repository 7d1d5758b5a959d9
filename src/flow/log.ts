import { redact } from "../secrets.js";

export type FlowLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<FlowLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * Flow reads a connector's logs as JSON lines on stderr; the last line before a
 * non-zero exit is the error its users see.
 */
export class FlowLog {
  constructor(private readonly threshold: FlowLevel = "info") {}

  write(level: FlowLevel, msg: string, fields: Record<string, unknown> = {}): void {
    if (RANK[level] < RANK[this.threshold]) return;
    process.stderr.write(redact(JSON.stringify({ level, msg, fields })) + "\n");
  }
}

/** `--log.level=debug` and friends, which older Flow runtimes append to the entrypoint. */
export function logLevelFromArgs(argv: readonly string[]): FlowLevel | undefined {
  for (const arg of argv) {
    const level = /^--log\.level=(\w+)$/.exec(arg)?.[1]?.toLowerCase();
    if (level === "trace" || level === "debug") return "debug";
    if (level === "info" || level === "warn" || level === "error") return level;
    if (level === "warning") return "warn";
  }
  return undefined;
}

/** Flow mode: no arguments at all, or only the runtime's log-level flag. */
export function isFlowInvocation(argv: readonly string[]): boolean {
  return argv.every((arg) => /^--log\.level=\w+$/.test(arg));
}
