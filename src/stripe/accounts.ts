import type { Config } from "../config.js";
import type { StripeClient } from "./client.js";
import { PermissionError } from "./errors.js";
import { paginate } from "./pagination.js";

/** One Stripe account a read covers. */
export interface AccountScope {
  id: string;
  /** The Stripe-Account header to send; absent for the key's own account. */
  header?: string;
}

/**
 * Which `Stripe-Account` header reading `accountId` needs: none when it is the
 * key's own account, the id otherwise. A key that may not read its own account
 * is treated as Airbyte treats it, sending the header; a key that may not act
 * for `accountId` fails with AccountAccessError (the client's classification).
 */
export async function stripeAccountFor(client: StripeClient, accountId: string): Promise<string | undefined> {
  let own: string | undefined;
  try {
    own = (await client.get<{ id?: string }>("/v1/account")).id;
  } catch (error) {
    if (!(error instanceof PermissionError)) throw error;
  }
  if (own === accountId) return undefined;
  try {
    await client.get("/v1/account", {}, { account: accountId });
  } catch (error) {
    if (!(error instanceof PermissionError)) throw error;
  }
  return accountId;
}

/**
 * The accounts one read covers: `account_id` (with the Stripe-Account header only
 * when it is not the key's own account), then the connected accounts the config
 * asks for, listed through /v1/accounts when it says "all".
 */
export async function accountsToRead(client: StripeClient, config: Pick<Config, "account_id" | "connected_accounts">): Promise<AccountScope[]> {
  const header = await stripeAccountFor(client, config.account_id);
  const scopes: AccountScope[] = [{ id: config.account_id, header }];
  const wanted = config.connected_accounts;
  if (wanted === undefined) return scopes;
  const ids: string[] = [];
  if (wanted === "all") {
    for await (const page of paginate(client, "/v1/accounts", {})) ids.push(...page.data.map((a) => String(a.id)));
  } else {
    ids.push(...wanted);
  }
  for (const id of ids) if (!scopes.some((s) => s.id === id)) scopes.push({ id, header: id });
  return scopes;
}
