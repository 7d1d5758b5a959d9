/**
 * Radar value lists and their items (block and allow lists used in Radar
 * rules), seeded for the platform account. Seeded apart from the Seeder with
 * their own random stream and ids, so the rest of the seeded data stays what it was.
 */
import { Rng } from "./prng.js";
import { ANCHOR, DAY } from "./resources.js";
import { type DataSet, IdGen, type Rec } from "./store.js";

const LISTS = [
  { alias: "blocked_emails", name: "Blocked emails", item_type: "email", values: (r: Rng) => `${r.chars(6).toLowerCase()}@fraud.example.com` },
  { alias: "blocked_ips", name: "Blocked IP addresses", item_type: "ip_address", values: (r: Rng) => `198.51.100.${r.int(1, 254)}` },
  { alias: "trusted_customers", name: "Trusted customers", item_type: "customer_id", values: (r: Rng) => `cus_${r.chars(14)}` },
] as const;

/** Three value lists with a few items each (one list with more than a page embeds). */
export function seedValueLists(ds: DataSet, seed: number, scale: number): void {
  const rng = new Rng(seed * 977 + 41);
  const ids = new IdGen(new Rng(seed * 983 + 43));
  for (const [i, list] of LISTS.entries()) {
    const t = ANCHOR - rng.int(30, 700) * DAY;
    const id = ids.next("radar.value_list", t);
    const rec: Rec = {
      id,
      type: "radar.value_list",
      coll: "radar.value_list",
      t,
      fields: { id, object: "radar.value_list", alias: list.alias, created: t, created_by: "admin@example.com", item_type: list.item_type, livemode: false, metadata: {}, name: list.name },
    };
    ds.add(rec);
    const count = Math.max(1, Math.round((i === 0 ? 14 : 4) * scale));
    for (let k = 0; k < count; k++) {
      const at = t + rng.int(0, 29) * DAY + k;
      const itemId = ids.next("radar.value_list_item", at);
      ds.add({
        id: itemId,
        type: "radar.value_list_item",
        coll: "radar.value_list_item",
        t: at,
        parent: id,
        fields: { id: itemId, object: "radar.value_list_item", created: at, created_by: "admin@example.com", livemode: false, value: list.values(rng), value_list: id },
      });
    }
  }
}
