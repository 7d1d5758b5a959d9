import { STREAMS } from "../../src/streams/table.js";
import type { StreamDef } from "../../src/streams/types.js";
import { EMULATOR_KEY, type Emulator } from "../emulator/server.js";

/**
 * An independent oracle: walks the emulator's lists with plain fetch, one page
 * after another, every parent's child endpoint from its start (the slow,
 * obviously complete way), and returns the objects a stream must deliver.
 */
export async function oracleObjects(emulator: Emulator, def: StreamDef, account = "acct_emulator_platform"): Promise<Array<Record<string, any>>> {
  const headers: Record<string, string> = { authorization: `Bearer ${EMULATOR_KEY}` };
  if (account !== "acct_emulator_platform") headers["stripe-account"] = account;
  const walk = async (path: string, params: Record<string, string | readonly string[]>): Promise<Array<Record<string, any>>> => {
    const out: Array<Record<string, any>> = [];
    let after: string | undefined;
    for (;;) {
      // An unpaginated list (report types) refuses `limit`.
      const qs = new URLSearchParams(def.unpaginated ? {} : { limit: "100" });
      for (const [k, v] of Object.entries(params)) if (k !== "expand" && typeof v === "string") qs.set(k, v);
      if (after) qs.set("starting_after", after);
      const page = await get(`${emulator.url}${path}?${qs}`);
      out.push(...page.data);
      if (!page.has_more || page.data.length === 0) return out;
      after = String(page.data.at(-1)!.id);
    }
  };
  // The emulator may be injecting faults: the oracle asks again until it gets an answer.
  const get = async (url: string): Promise<{ data: Array<Record<string, any>>; has_more: boolean }> => {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(url, { headers }).catch(() => undefined);
      if (response?.status === 200) return (await response.json()) as { data: Array<Record<string, any>>; has_more: boolean };
      if (attempt >= 50 || (response && response.status < 500 && response.status !== 429)) throw new Error(`oracle: ${url} answered ${response?.status ?? "nothing"}`);
    }
  };
  const keep = (o: Record<string, any>) => !def.objectTypes || def.objectTypes.includes(o.object);
  const fill = (path: string, parentId?: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => (def.configPathParams?.[name] ? account : parentId!));
  if (!def.parent) return (await walk(fill(def.path), def.params ?? {})).filter(keep);
  const parent = STREAMS.find((s) => s.name === def.parent!.stream)!;
  const out: Array<Record<string, any>> = [];
  for (const p of await walk(fill(parent.path), parent.params ?? {})) {
    const params = { ...(def.params ?? {}), ...(def.parent.queryParam ? { [def.parent.queryParam]: String(p.id) } : {}) };
    out.push(...(await walk(fill(def.path, String(p.id)), params)).filter(keep));
  }
  return out;
}

export async function oracleIds(emulator: Emulator, def: StreamDef, account?: string): Promise<string[]> {
  return (await oracleObjects(emulator, def, account)).map((o) => String(o.id));
}
