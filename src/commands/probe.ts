import type { AccountScope } from "../stripe/accounts.js";
import type { StripeClient } from "../stripe/client.js";
import { StripeApiError } from "../stripe/errors.js";
import { parentOf } from "../streams/facts.js";
import { resolvePath } from "../streams/paths.js";
import { STREAMS } from "../streams/table.js";
import type { StreamDef } from "../streams/types.js";

export interface ProbeResult {
  stream: string;
  /** Why the key cannot read the stream; undefined when it can. */
  problem?: string;
}

/**
 * Asks every stream's endpoint for one object, all at once through the shared
 * client, to tell which streams the key can read. A child endpoint is probed
 * under the first parent its parent's probe returned.
 */
export async function probeStreams(client: StripeClient, account: AccountScope): Promise<ProbeResult[]> {
  const request = { account: account.header };
  const parentIds = new Map<string, Promise<string | undefined>>();
  const firstId = (def: StreamDef): Promise<string | undefined> => {
    let found = parentIds.get(def.name);
    if (!found) {
      found = client
        .get<{ data: Array<{ id?: string }> }>(resolvePath(def, { accountId: account.id }), { ...def.params, ...(def.unpaginated ? {} : { limit: 1 }) }, request)
        .then((page) => page.data[0]?.id);
      parentIds.set(def.name, found);
    }
    return found;
  };
  return Promise.all(
    STREAMS.map(async (def): Promise<ProbeResult> => {
      try {
        if (def.report) {
          // A report stream needs its report type to exist for the account (runs are only tried by a read).
          await client.get(`/v1/reporting/report_types/${encodeURIComponent(def.report.type)}`, {}, request);
          return { stream: def.name };
        }
        if (!def.parent) {
          await firstId(def);
          return { stream: def.name };
        }
        const parentId = await firstId(parentOf(def));
        if (parentId === undefined) return { stream: def.name };
        const query = { ...def.params, limit: 1, ...(def.parent.queryParam ? { [def.parent.queryParam]: parentId } : {}) };
        await client.get(resolvePath(def, { parentId, accountId: account.id }), query, request);
        return { stream: def.name };
      } catch (error) {
        if (!(error instanceof StripeApiError) || error.fatal) throw error;
        return { stream: def.name, problem: `Stream ${def.name}: ${error.message}` };
      }
    }),
  );
}
