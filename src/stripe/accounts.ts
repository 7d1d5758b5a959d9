import { ConfigError } from "../errors.js";
import { ApiError, type StripeClient } from "./client.js";
import type { Config } from "../config.js";
import type { AccountScope } from "../read/engine.js";
import { paginate } from "../read/paginate.js";

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

/**
 * The accounts one read covers: `account_id` (with the Stripe-Account header only
 * when it is not the key's own account), then the connected accounts the config
 * asks for, listed through /v1/accounts when it says "all".
 */
export async function accountsToRead(client: StripeClient, config: Config): Promise<AccountScope[]> {
  const header = await stripeAccountFor(client, config.account_id);
  const scopes: AccountScope[] = [{ id: config.account_id, header }];
  const wanted = config.connected_accounts;
  if (wanted === undefined) return scopes;
  const ids: string[] = [];
  if (wanted === "all") {
    for await (const page of paginate(client, "/v1/accounts", {}, undefined)) ids.push(...page.data.map((a) => String(a.id)));
  } else {
    ids.push(...wanted);
  }
  for (const id of ids) if (!scopes.some((s) => s.id === id)) scopes.push({ id, header: id });
  return scopes;
}
