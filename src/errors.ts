import type { z } from "zod";

/** Airbyte's failure types: who has to act on the failure. */
export type FailureType = "config_error" | "system_error" | "transient_error";

/**
 * An error the connector expects and can explain in one line. Anything else that
 * reaches the top level is a bug and becomes a system_error with its stack trace.
 */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly failureType: FailureType,
    readonly internalMessage?: string,
  ) {
    super(message);
    this.name = "ConnectorError";
  }
}

/** Bad input from the user: config, catalog, state, argv. */
export class ConfigError extends ConnectorError {
  constructor(message: string, internalMessage?: string) {
    super(message, "config_error", internalMessage);
    this.name = "ConfigError";
  }
}

/** A stream could not be read (permission, product not enabled, ...). The others go on. */
export class StreamError extends ConnectorError {
  constructor(
    readonly stream: string,
    message: string,
    failureType: FailureType,
    internalMessage?: string,
  ) {
    super(message, failureType, internalMessage);
    this.name = "StreamError";
  }
}

/** For a bound zod reports, the bound to show instead (what the spec advertises). */
export type LimitLookup = (path: readonly PropertyKey[], bound: "minimum" | "maximum") => number | undefined;

/**
 * The one formatter of zod's complaints: `where: what`, naming the field by its
 * path, never echoing a value that may be a secret beyond its type or bound.
 */
export function describeZodIssue(error: z.ZodError, limitFor: LimitLookup = () => undefined): string {
  const issue = error.issues[0];
  if (!issue) return "(root): invalid";
  const where = issue.path.length ? issue.path.join(".") : "(root)";
  return `${where}: ${describeIssue(issue, limitFor)}`;
}

function describeIssue(issue: z.core.$ZodIssue, limitFor: LimitLookup): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? "is required" : `expected ${issue.expected}, got ${typeName(issue.input)}`;
    case "too_big":
      return `must be at most ${limitFor(issue.path, "maximum") ?? issue.maximum}, got ${String(issue.input)}`;
    case "too_small":
      return `must be at least ${limitFor(issue.path, "minimum") ?? issue.minimum}, got ${String(issue.input)}`;
    case "invalid_value":
      return `${JSON.stringify(issue.input)} is not one of the allowed values (${issue.values.slice(0, 8).map((v) => JSON.stringify(v)).join(", ")}${issue.values.length > 8 ? ", ..." : ""})`;
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
    default:
      return issue.message;
  }
}

function typeName(value: unknown): string {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
