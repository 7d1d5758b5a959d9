import { explain } from "../read/engine.js";
import { resolvePath } from "../read/children.js";
import type { ReadContext } from "../read/context.js";
import { parentOf } from "../read/plan.js";
import { ApiError } from "../stripe/client.js";
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
export async function probeStreams(ctx: ReadContext): Promise<ProbeResult[]> {
  const parentIds = new Map<string, Promise<string | undefined>>();
  const firstId = (def: StreamDef): Promise<string | undefined> => {
    let found = parentIds.get(def.name);
    if (!found) {
      found = ctx.client
        .get<{ data: Array<{ id?: string }> }>(resolvePath(ctx, def), { ...def.params, limit: 1 }, ctx.account)
        .then((page) => page.data[0]?.id);
      parentIds.set(def.name, found);
    }
    return found;
  };
  return Promise.all(
    STREAMS.map(async (def): Promise<ProbeResult> => {
      try {
        if (!def.parent) {
          await firstId(def);
          return { stream: def.name };
        }
        const parentId = await firstId(parentOf(def));
        if (parentId === undefined) return { stream: def.name };
        const query = { ...def.params, limit: 1, ...(def.parent.queryParam ? { [def.parent.queryParam]: parentId } : {}) };
        await ctx.client.get(resolvePath(ctx, def, parentId), query, ctx.account);
        return { stream: def.name };
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        return { stream: def.name, problem: explain(def, error).message };
      }
    }),
  );
}
