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
