import type { ListResponse, RequestOptions, StripeClient } from "./client.js";
import type { Query } from "./query.js";

/** Stripe's largest page. */
export const PAGE_SIZE = 100;
/**
 * A page whose records each cost requests of their own (children listed per
 * parent, or a re-fetch): small, so that its work, and the checkpoint after it,
 * takes seconds at Stripe's rate, not minutes.
 */
export const COSTLY_PAGE_SIZE = 10;

/**
 * Walks a Stripe list page by page (newest first) with `starting_after`,
 * optionally continuing after an id already seen (an embedded first page).
 */
export async function* paginate(
  client: StripeClient,
  path: string,
  query: Query,
  options: RequestOptions & { startingAfter?: string } = {},
): AsyncGenerator<ListResponse> {
  const { startingAfter, ...request } = options;
  let after = startingAfter;
  for (;;) {
    const page = await client.get<ListResponse>(path, { ...query, limit: PAGE_SIZE, starting_after: after }, request);
    yield page;
    const last = page.data[page.data.length - 1];
    if (!page.has_more || !last) return;
    after = String(last.id);
  }
}
