import type { AccountScope } from "../stripe/accounts.js";
import type { ListResponse, RequestOptions, StripeClient } from "../stripe/client.js";
import { saysUnavailable, StripeApiError } from "../stripe/errors.js";
import { parentMatches, parentOf } from "../streams/facts.js";
import { resolvePath } from "../streams/paths.js";
import { STREAMS } from "../streams/table.js";
import type { StreamDef } from "../streams/types.js";

export interface ProbeResult {
  stream: string;
  /** Why the key cannot read the stream; undefined when it can. */
  problem?: string;
}

type StripeObject = Record<string, unknown>;

/**
 * Asks every stream's endpoint for one object, all at once through the shared
 * client, to tell which streams the key can read. A child endpoint is probed
 * under the first object its parent's probe returned (a grandchild's under its
 * parent's first, if that parent qualifies). An endpoint Stripe no longer offers
 * to a stream that expects it (`whenUnavailable`) is not a problem: it reads empty.
 */
export async function probeStreams(client: StripeClient, account: AccountScope): Promise<ProbeResult[]> {
  const firsts = new Map<string, Promise<StripeObject | undefined>>();
  const request = (def: StreamDef): RequestOptions => ({ account: account.header, ...(def.apiVersion ? { apiVersion: def.apiVersion } : {}) });
  /** The first object of `def`'s list (under its parent's first object, for a child); undefined when there is none to ask under. */
  const first = (def: StreamDef): Promise<StripeObject | undefined> => {
    let found = firsts.get(def.name);
    if (!found) {
      found = (async () => {
        const parent = def.parent ? await first(parentOf(def)) : undefined;
        if (def.parent && (parent === undefined || !parentMatches(def, parent))) return undefined;
        const parentId = parent === undefined ? undefined : String(parent.id);
        const link = def.parent?.queryParam && parentId !== undefined ? { [def.parent.queryParam]: parentId } : {};
        const paging = def.unpaginated ? {} : { limit: 1 };
        const page = await client.get<ListResponse>(resolvePath(def, { parentId, accountId: account.id }), { ...def.params, ...paging, ...link }, request(def));
        return page.data[0];
      })();
      firsts.set(def.name, found);
    }
    return found;
  };
  return Promise.all(
    STREAMS.map(async (def): Promise<ProbeResult> => {
      try {
        // A report stream needs its report type to exist for the account (runs are only tried by a read).
        if (def.report) await client.get(`/v1/reporting/report_types/${encodeURIComponent(def.report.type)}`, {}, request(def));
        else await first(def);
        return { stream: def.name };
      } catch (error) {
        if (!(error instanceof StripeApiError) || error.fatal) throw error;
        if (def.whenUnavailable && saysUnavailable(error)) return { stream: def.name };
        return { stream: def.name, problem: `Stream ${def.name}: ${error.message}` };
      }
    }),
  );
}
