import { ConfigError } from "../errors.js";
import { parseConfig } from "../config.js";
import { connectionStatus, type AirbyteMessage } from "../protocol/messages.js";
import { readJsonFile } from "../protocol/json-file.js";
import { stripeAccountFor } from "../stripe/accounts.js";
import { ApiError } from "../stripe/client.js";
import { clientFor } from "./client-for.js";
import { probeStreams } from "./probe.js";

/**
 * Validates the config, then proves the key works with the cheapest call a
 * restricted key can make. A rejected key or account is a FAILED status.
 */
export async function check(configPath: string): Promise<AirbyteMessage> {
  const config = parseConfig(readJsonFile(configPath, "config"));
  const client = clientFor(config);
  try {
    const account = await stripeAccountFor(client, config.account_id);
    const via = account ? ` (as connected account ${account})` : "";
    const probes = await probeStreams({ client, config, account, now: 0, startDate: 0, log: () => undefined });
    const blocked = probes.filter((p) => p.problem);
    const works = `The API key works for account ${config.account_id}${via}`;
    if (blocked.length === 0) return connectionStatus(true, `${works}; it can read all ${probes.length} streams.`);
    const list = blocked.map((p) => `- ${p.problem}`).join("\n");
    const summary = `it cannot read ${blocked.length} of ${probes.length} streams (${blocked.map((p) => p.stream).join(", ")}):\n${list}`;
    return connectionStatus(blocked.length < probes.length, `${works}, but ${summary}`);
  } catch (error) {
    if (error instanceof ConfigError) return connectionStatus(false, error.message);
    if (error instanceof ApiError) return connectionStatus(false, `Stripe could not be reached: ${error.message}`);
    throw error;
  }
}
