import { EMULATOR_KEY, type Emulator } from "../emulator/server.js";
import { configuredCatalog, runCli, writeFiles, type CliResult } from "./cli.js";
import { assertProtocol } from "./protocol.js";

export const PLATFORM = "acct_emulator_platform";

export interface Reader {
  read(streams: string[], state?: unknown[], config?: Record<string, unknown>): Promise<CliResult>;
}

/** Reads streams incrementally through the CLI, as Airbyte would between syncs. */
export function reader(emulator: Emulator, baseConfig: Record<string, unknown> = {}): Reader {
  return {
    async read(streams, state, config = {}) {
      const files = writeFiles({
        config: { account_id: PLATFORM, client_secret: EMULATOR_KEY, call_rate_limit: 2000, ...baseConfig, ...config },
        catalog: configuredCatalog(streams.map((name) => ({ name, syncMode: "incremental" }))),
        ...(state ? { state } : {}),
      });
      const args = ["read", "--config", files.config!, "--catalog", files.catalog!];
      if (files.state) args.push("--state", files.state);
      const result = await runCli(args, { env: { STRIPE_API_BASE: emulator.url } });
      assertProtocol(result.messages);
      return result;
    },
  };
}

/** The last STATE message per stream, as Airbyte would persist and hand back. */
export function lastStates(messages: Array<Record<string, any>>, previous: unknown[] = []): unknown[] {
  const byStream = new Map<string, unknown>();
  for (const m of previous as Array<Record<string, any>>) byStream.set(m.stream.stream_descriptor.name, m);
  for (const m of messages) {
    if (m.type === "STATE") byStream.set(m.state.stream.stream_descriptor.name, m.state);
  }
  return [...byStream.values()];
}

export function streamState(states: unknown[], stream: string): Record<string, any> | undefined {
  return (states as Array<Record<string, any>>).find((s) => s.stream.stream_descriptor.name === stream)?.stream.stream_state;
}
