/**
 * The shape of one row of the stream table. Every behaviour the read engine has
 * is switched by a column here, never by a stream's name.
 */

/** How a stream moves its cursor forward between syncs. */
export type Incremental =
  /** Objects never change: read `created` windows from the cursor on. */
  | "created"
  /** Objects change: first sync from the list, later syncs from /v1/events. */
  | "events"
  /** A child list: re-read for the parents that changed, cursor is the parent's. */
  | "parent"
  /** A Stripe financial report: runs over windows from the cursor (the last interval's end). */
  | "report"
  /** No way to tell what changed: full refresh only. */
  | null;

export interface ParentLink {
  /**
   * Name of the parent stream (a row of the same table). It may itself be a child
   * (one level): its records, read under each object of the top-level list, are
   * then the parents of this stream's requests.
   */
  stream: string;
  /** Placeholder in `path` that receives the parent's id, e.g. `invoice`. */
  pathParam?: string;
  /** Query parameter that receives the parent's id, e.g. `subscription`. */
  queryParam?: string;
  /** Field of the parent object that embeds the first page of this list (e.g. `lines`). */
  embedded?: string;
  /** The embedded list is present only when the parent list asks for it with expand[]. */
  expandEmbedded?: boolean;
  /** Fields copied from the parent onto every child record: child field -> parent field. */
  copy: Record<string, string>;
  /**
   * Only parents whose fields (dotted paths) hold these values have records of this
   * stream; the others are not asked (a missing field counts as null).
   */
  where?: Record<string, string | null>;
}

import type { ReportSpec } from "./reports.js";

export interface StreamDef {
  /** Stream name, as Airbyte's source-stripe names it. */
  name: string;
  /** API path; `{placeholders}` are filled from the parent or from the config. */
  path: string;
  /** Type name in the `stripe` SDK's declarations, used to generate the JSON schema. */
  sdkType: string;
  /**
   * The object's fields as JSON schemas, for a type the pinned SDK no longer declares
   * (removed from newer API versions): the schema is built from these instead.
   */
  removedTypeFields?: Record<string, Record<string, unknown>>;
  /** Reading the connector's streams adds to this stream's list (why): two reads differ by design. */
  changedByReads?: string;
  /**
   * The key of the stream's documents in an Estuary Flow collection, for a stream
   * with no primary key (a collection needs one): field paths, as primaryKey.
   */
  flowKey?: string[][];
  /** Only objects whose `object` field is one of these are records of this stream. */
  objectTypes?: string[];
  primaryKey: string[][];
  /** Cursor field of the records (Airbyte's name). Absent for full-refresh-only streams. */
  cursorField?: string;
  incremental: Incremental;
  /** The list accepts created[gte]/created[lte]. */
  createdFilter: boolean;
  /** Field holding the creation time (`created` for most, `date` for invoice items); absent if none. */
  createdField?: string;
  /** Fixed query parameters, e.g. status=all so canceled subscriptions are listed. */
  params?: Record<string, string | readonly string[]>;
  /** Event types that report a change to an object of this stream. */
  eventTypes: string[];
  parent?: ParentLink;
  /** The stream's events carry the parent object (an invoice for its lines), not the child. */
  eventsCarryParent?: boolean;
  /** Path placeholders filled from the config (e.g. the account id for external accounts). */
  configPathParams?: Record<string, "account_id">;
  /** Stripe product that must be enabled on the account for the endpoint to exist. */
  product?: string;
  /** The endpoint returns its whole list at once and takes no `limit` or `starting_after`. */
  unpaginated?: boolean;
  /** The stream is a Stripe financial report, read by report runs (see reports.ts). */
  report?: ReportSpec;
  /** Stripe-Version sent with this stream's own requests, for an endpoint newer API versions removed. */
  apiVersion?: string;
  /**
   * The endpoint may be gone for this account (removed from the API, kept only for
   * old data): when Stripe answers that it is unavailable, the stream completes with
   * what it read instead of failing, and a stream that ends with no records says why
   * in a LOG line, with this explanation.
   */
  whenUnavailable?: string;
}
