import { connectionSpecification, withRefreshToken } from "../config.js";
import type { FlowLog } from "./log.js";

/**
 * Estuary's config encryption service: given a config and its JSON schema, it
 * returns the config with the schema's secret fields sops-encrypted, as the
 * control plane stores every endpoint config. Estuary's own connectors call it
 * for the same purpose (estuary/connectors, source-boilerplate EmitConfigUpdate)
 * and take ENCRYPTION_URL from the environment to point elsewhere.
 */
const DEFAULT_ENCRYPTION_URL = "https://config-encryption.estuary.dev/v1/encrypt-config";

/**
 * Flow's way to have the platform store a new config: a stderr log whose
 * fields carry `eventType: "configUpdate"` and `config`, the complete new
 * config, encrypted as the control plane encrypts endpoint configs (it
 * publishes the capture with that config as is). Used when Stripe rotated the
 * OAuth refresh token: the token must reach the stored config, or the
 * capture's next start cannot sign in.
 */
export async function emitConfigUpdate(log: FlowLog, config: unknown, refreshToken: string): Promise<void> {
  let sealed: unknown;
  try {
    sealed = await encryptConfig(withRefreshToken(config, refreshToken));
  } catch (error) {
    log.write(
      "error",
      `Stripe rotated the OAuth refresh token, but the new one could not be encrypted for the stored config (${(error as Error).message}). The capture goes on; once it stops, sign in with Stripe again.`,
    );
    return;
  }
  log.write("info", "Stripe rotated the OAuth refresh token; storing the new one in the capture's config", { eventType: "configUpdate", config: sealed });
}

async function encryptConfig(config: Record<string, unknown>): Promise<unknown> {
  const url = process.env.ENCRYPTION_URL || DEFAULT_ENCRYPTION_URL;
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    // sops computes its MAC in the order it meets values, and Flow stores configs with sorted keys.
    body: JSON.stringify({ config: sortedKeys(config), schema: connectionSpecification() }),
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) throw new Error(`the encryption service answered HTTP ${response.status}`);
  return response.json();
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]));
}
