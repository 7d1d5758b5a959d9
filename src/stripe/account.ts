import { ConfigError } from "../errors.js";
import { ApiError, type StripeClient } from "./client.js";

/**
 * Which `Stripe-Account` header reading `accountId` needs: none when it is the
 * key's own account, the id otherwise. Asked once, at start; a key that may not
 * read its own account is treated like Airbyte does, sending the header.
 */
export async function stripeAccountFor(client: StripeClient, accountId: string): Promise<string | undefined> {
  let own: string | undefined;
  try {
    own = (await client.get<{ id?: string }>("/v1/account")).id;
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 403)) throw error;
  }
  if (own === accountId) return undefined;
  try {
    await client.get("/v1/account", {}, accountId);
  } catch (error) {
    if (error instanceof ApiError && error.status === 403 && /access to account|account_invalid/i.test(`${error.stripeMessage} ${error.code ?? ""}`)) {
      throw new ConfigError(
        `The API key cannot access account_id ${accountId}: it is neither the key's own account nor one connected to it. Stripe said: ${error.stripeMessage}`,
      );
    }
    if (!(error instanceof ApiError && error.status === 403)) throw error;
  }
  return accountId;
}
