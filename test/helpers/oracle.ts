import { STREAMS } from "../../src/streams/table.js";
import type { StreamDef } from "../../src/streams/types.js";
import { EMULATOR_KEY, type Emulator } from "../emulator/server.js";

type StripeObject = Record<string, any>;

/**
 * An independent oracle: walks the emulator's lists with plain fetch, one page
 * after another, every parent's child endpoint from its start (the slow,
 * obviously complete way), and returns the objects a stream must deliver.
 */
export async function oracleObjects(emulator: Emulator, def: StreamDef, account = "acct_emulator_platform"): Promise<StripeObject[]> {
  // The emulator may be injecting faults: the oracle asks again until it gets an answer.
  const get = async (url: string, headers: Record<string, string>): Promise<{ data: StripeObject[]; has_more: boolean }> => {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(url, { headers }).catch(() => undefined);
      if (response?.status === 200) return (await response.json()) as { data: StripeObject[]; has_more: boolean };
      if (attempt >= 50 || (response && response.status < 500 && response.status !== 429)) throw new Error(`oracle: ${url} answered ${response?.status ?? "nothing"}`);
    }
  };
  const walk = async (d: StreamDef, path: string, params: Record<string, string | readonly string[]>): Promise<StripeObject[]> => {
    const headers: Record<string, string> = { authorization: `Bearer ${EMULATOR_KEY}` };
    if (account !== "acct_emulator_platform") headers["stripe-account"] = account;
    if (d.apiVersion) headers["stripe-version"] = d.apiVersion;
    const out: StripeObject[] = [];
    let after: string | undefined;
    for (;;) {
      // An unpaginated list (report types) refuses `limit`.
      const qs = new URLSearchParams(d.unpaginated ? {} : { limit: "100" });
      for (const [k, v] of Object.entries(params)) if (k !== "expand" && typeof v === "string") qs.set(k, v);
      if (after) qs.set("starting_after", after);
      const page = await get(`${emulator.url}${path}?${qs}`, headers);
      out.push(...page.data);
      if (!page.has_more || page.data.length === 0) return out;
      after = String(page.data.at(-1)!.id);
    }
  };
  // Every object of a stream: its list, or its endpoint under each of its parent's objects (a
  // grandchild's under its parent's, those the link's `where` names: dotted path -> value).
  const objects = async (d: StreamDef): Promise<StripeObject[]> => {
    const keep = (o: StripeObject) => !d.objectTypes || d.objectTypes.includes(o.object);
    const fill = (path: string, parentId?: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => (d.configPathParams?.[name] ? account : parentId!));
    if (!d.parent) return (await walk(d, fill(d.path), d.params ?? {})).filter(keep);
    const link = d.parent;
    const holds = (o: StripeObject) => Object.entries(link.where ?? {}).every(([path, value]) => (path.split(".").reduce((v: any, k) => v?.[k], o) ?? null) === value);
    const out: StripeObject[] = [];
    for (const p of (await objects(STREAMS.find((s) => s.name === link.stream)!)).filter(holds)) {
      const params = { ...(d.params ?? {}), ...(link.queryParam ? { [link.queryParam]: String(p.id) } : {}) };
      out.push(...(await walk(d, fill(d.path, String(p.id)), params)).filter(keep));
    }
    return out;
  };
  return objects(def);
}

export async function oracleIds(emulator: Emulator, def: StreamDef, account?: string): Promise<string[]> {
  return (await oracleObjects(emulator, def, account)).map((o) => String(o.id));
}
