import type { Config } from "../config.js";
import type { AccountScope } from "../read/engine.js";
import { paginate } from "../read/paginate.js";
import { stripeAccountFor } from "./account.js";
import type { StripeClient } from "./client.js";

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
