import { redact } from "../secrets.js";

export type FlowLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<FlowLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * Flow reads a connector's logs as JSON lines on stderr (`{"level","msg","fields"}`);
 * the last one before a non-zero exit is the error its users see
 * (estuary/flow crates/connector-init/src/rpc.rs, process_logs and service_connector).
 */
export class FlowLog {
  constructor(private readonly threshold: FlowLevel = "info") {}

  write(level: FlowLevel, msg: string, fields: Record<string, unknown> = {}): void {
    if (RANK[level] < RANK[this.threshold]) return;
    process.stderr.write(redact(JSON.stringify({ level, msg, fields })) + "\n");
  }

  /**
   * A status the Flow UI shows for the task: a log whose `eventType` is
   * `connectorStatus` (estuary/flow crates/connector/src/container.rs, sanitize_event_type).
   */
  status(msg: string, fields: Record<string, unknown> = {}): void {
    process.stderr.write(redact(JSON.stringify({ level: "info", msg, fields: { ...fields, eventType: "connectorStatus" } })) + "\n");
  }
}

/**
 * The log level: the runtime sets LOG_LEVEL in the container's environment
 * (estuary/flow crates/connector/src/container.rs, start); older runtimes
 * appended `--log.level=...` to the entrypoint instead.
 */
export function logLevel(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): FlowLevel {
  for (const arg of argv) {
    const level = levelOf(/^--log\.level=(\w+)$/.exec(arg)?.[1]);
    if (level) return level;
  }
  return levelOf(env.LOG_LEVEL) ?? "info";
}

function levelOf(value: string | undefined): FlowLevel | undefined {
  const level = value?.toLowerCase();
  if (level === "trace" || level === "debug") return "debug";
  if (level === "info" || level === "warn" || level === "error") return level;
  if (level === "warning") return "warn";
  return undefined;
}

/** Flow mode: no arguments at all, or only the runtime's log-level flag. */
export function isFlowInvocation(argv: readonly string[]): boolean {
  return argv.every((arg) => /^--log\.level=\w+$/.test(arg));
}
