import type { ListResponse, StripeClient } from "../stripe/client.js";
import type { Priority } from "../stripe/limiter.js";
import type { Query } from "../stripe/query.js";

export const PAGE_SIZE = 100;

/**
 * Walks a Stripe list page by page (newest first) with `starting_after`,
 * optionally continuing after an id already seen (an embedded first page).
 */
export async function* paginate(
  client: StripeClient,
  path: string,
  query: Query,
  account: string | undefined,
  startingAfter?: string,
  priority: Priority = "list",
): AsyncGenerator<ListResponse> {
  let after = startingAfter;
  for (;;) {
    const page = await client.get<ListResponse>(path, { ...query, limit: PAGE_SIZE, starting_after: after }, account, priority);
    yield page;
    const last = page.data[page.data.length - 1];
    if (!page.has_more || !last) return;
    after = String(last.id);
  }
}
