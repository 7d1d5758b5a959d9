/**
 * What Airbyte's connector acceptance tests (CAT) compute, as plain functions:
 * catalogs built from discover, the checks on records, states and statuses, and
 * the checks on the spec. Each cites the CAT file it follows
 * (airbytehq/airbyte, airbyte-integrations/bases/connector-acceptance-test/
 * connector_acceptance_test/, abbreviated `cat/`).
 */

export type Message = Record<string, any>;
export type Stream = Record<string, any>;
export type Catalog = { streams: Array<Record<string, any>> };

/** The messages of one type, e.g. the RECORDs. */
export function ofType(messages: Message[], type: string): Message[] {
  return messages.filter((m) => m.type === type);
}

/**
 * A configured catalog from a file, each stream's `stream` replaced by the
 * discovered one, so its json_schema, key and cursor are the connector's
 * (cat/utils/common.py build_configured_catalog_from_custom_catalog); a name
 * discover lacks is an error. The configured json_schema is kept when it lists
 * properties: that is Airbyte's column selection, which the platform sends trimmed.
 */
export function withDiscoveredStreams(catalog: Catalog, discovered: Stream[]): Catalog {
  const byName = new Map(discovered.map((s) => [s.name, s]));
  return {
    streams: catalog.streams.map((configured) => {
      const stream = byName.get(configured.stream.name);
      if (!stream) throw new Error(`stream ${configured.stream.name} of the configured catalog is not discovered`);
      const selected = configured.stream.json_schema?.properties;
      return { ...configured, stream: selected ? { ...stream, json_schema: configured.stream.json_schema } : stream };
    }),
  };
}

/** Streams that support full refresh, set to it (cat/utils/common.py full_refresh_only_catalog). */
export function fullRefreshOnly(catalog: Catalog): Catalog {
  return {
    streams: catalog.streams
      .filter((s) => s.stream.supported_sync_modes.includes("full_refresh"))
      .map((s) => ({ ...s, sync_mode: "full_refresh", destination_sync_mode: "overwrite" })),
  };
}

/**
 * Streams that support incremental, set to it with the default cursor when none
 * is given (cat/tests/test_incremental.py configured_catalog_for_incremental).
 */
export function incrementalOnly(catalog: Catalog): Catalog {
  return {
    streams: catalog.streams
      .filter((s) => s.stream.supported_sync_modes.includes("incremental"))
      .map((s) => ({ ...s, sync_mode: "incremental", destination_sync_mode: "append", cursor_field: s.cursor_field ?? s.stream.default_cursor_field })),
  };
}

/** The records of each stream, in the order read. */
export function recordsByStream(messages: Message[]): Map<string, Array<Record<string, any>>> {
  const out = new Map<string, Array<Record<string, any>>>();
  for (const m of ofType(messages, "RECORD")) {
    const list = out.get(m.record.stream) ?? [];
    list.push(m.record.data);
    out.set(m.record.stream, list);
  }
  return out;
}

/** A record's primary key values (paths of field names), as one string. */
export function pkOf(record: Record<string, any>, primaryKey: string[][]): string {
  return JSON.stringify(primaryKey.map((path) => path.reduce((v: any, k) => v?.[k], record)));
}

/** A record without the ignored top-level fields, as a string: to compare records that have no key. */
export function withoutFields(record: Record<string, any>, ignored: readonly string[]): string {
  const copy = { ...record };
  for (const field of ignored) delete copy[field];
  return JSON.stringify(copy, Object.keys(copy).sort());
}

/**
 * Expected records compared as CAT compares them (cat/tests/test_core.py
 * _validate_expected_records, compare_records): with a primary key, every
 * expected key must be read (with exact_order, as the first ones, in order);
 * without one, only that at least as many records are read. Field values are not
 * compared. Returns what is missing.
 */
export function missingExpected(expected: Array<Record<string, any>>, actual: Array<Record<string, any>>, primaryKey: string[][] | undefined, exactOrder: boolean): string[] {
  if (!primaryKey?.length) return expected.length > actual.length ? [`${expected.length} expected records, ${actual.length} read`] : [];
  const actualPks = actual.map((r) => pkOf(r, primaryKey));
  const expectedPks = expected.map((r) => pkOf(r, primaryKey));
  if (exactOrder) return JSON.stringify(actualPks.slice(0, expectedPks.length)) === JSON.stringify(expectedPks) ? [] : ["not in the expected order"];
  const seen = new Set(actualPks);
  return expectedPks.filter((pk) => !seen.has(pk));
}

/**
 * Stream statuses as CAT requires of certified connectors (cat/tests/test_core.py
 * _validate_stream_statuses): at least three, STARTED first, COMPLETE last, RUNNING between.
 */
export function statusProblems(messages: Message[], streams: string[]): string[] {
  const problems: string[] = [];
  for (const name of streams) {
    const statuses = messages
      .filter((m) => m.type === "TRACE" && m.trace.type === "STREAM_STATUS" && m.trace.stream_status.stream_descriptor.name === name)
      .map((m) => m.trace.stream_status.status as string);
    const ok = statuses.length >= 3 && statuses[0] === "STARTED" && statuses.at(-1) === "COMPLETE" && statuses.slice(1, -1).every((s) => s === "RUNNING");
    if (!ok) problems.push(`${name}: ${statuses.join(", ") || "no status"}`);
  }
  return problems;
}

/** The last STATE of each stream, as CAT hands it to the next read (cat/tests/test_incremental.py). */
export function lastStates(messages: Message[], upTo = messages.length): Message[] {
  const byStream = new Map<string, Message>();
  for (const m of messages.slice(0, upTo)) {
    if (m.type === "STATE") byStream.set(m.state.stream.stream_descriptor.name, { type: "STREAM", stream: m.state.stream });
  }
  return [...byStream.values()];
}

/**
 * Where a read could be resumed from, and which streams that tests: after each
 * intermediate STATE (one that is not its stream's last), at the end of the run
 * of STATEs it belongs to (no record came between them, so resuming there covers
 * every STATE of the run), the streams that had printed a STATE and not finished.
 * A stream's last STATE needs no resuming (nothing of it follows), and one that had
 * printed none starts over.
 */
export function resumePoints(messages: Message[]): Array<{ point: number; streams: string[] }> {
  const streamOf = (m: Message | undefined) => (m?.type === "STATE" ? (m.state.stream.stream_descriptor.name as string) : undefined);
  const last = new Map<string, number>();
  messages.forEach((m, i) => streamOf(m) !== undefined && last.set(streamOf(m)!, i));
  const points = new Set<number>();
  messages.forEach((m, i) => {
    if (streamOf(m) === undefined || last.get(streamOf(m)!) === i) return;
    let end = i + 1;
    while (streamOf(messages[end]) !== undefined) end++;
    points.add(end);
  });
  return [...points].map((point) => {
    const started = new Set(messages.slice(0, point).map(streamOf).filter((s): s is string => s !== undefined));
    return { point, streams: [...started].filter((s) => last.get(s)! >= point) };
  });
}

/** Field names whose values CAT requires to be marked airbyte_secret (cat/tests/test_core.py test_secret_is_properly_marked). */
const SECRET_NAMES = new Set([
  "client_token", "access_token", "api_token", "token", "secret", "client_secret", "password", "key", "service_account_info",
  "service_account", "tenant_id", "certificate", "jwt", "credentials", "app_id", "appid", "refresh_token",
]);

/** Keywords CAT forbids in a spec, except as property names (cat/tests/test_core.py test_forbidden_complex_types). */
const FORBIDDEN = ["not", "anyOf", "patternProperties", "prefixItems", "allOf", "if", "then", "else", "dependentSchemas", "dependentRequired"];

/** Every (path, schema) under `schema`, property names included in the path. */
function* walk(schema: unknown, path = "$"): Generator<[string, Record<string, any>]> {
  if (!schema || typeof schema !== "object") return;
  if (Array.isArray(schema)) {
    for (const [i, s] of schema.entries()) yield* walk(s, `${path}[${i}]`);
    return;
  }
  const s = schema as Record<string, any>;
  yield [path, s];
  for (const [key, value] of Object.entries(s)) {
    if (key === "properties" && value && typeof value === "object") {
      for (const [name, sub] of Object.entries(value)) yield* walk(sub, `${path}.${name}`);
    } else if (value && typeof value === "object") {
      yield* walk(value, `${path}/${key}`);
    }
  }
}

/** What CAT's spec tests would reject in a connectionSpecification (cat/tests/test_core.py TestSpec). */
export function specProblems(spec: Record<string, any>): string[] {
  const problems: string[] = [];
  for (const [path, s] of walk(spec)) {
    const name = /\.(\w+)$/.exec(path)?.[1];
    const types = Array.isArray(s.type) ? s.type : [s.type];
    const canHoldSecret = types.some((t: unknown) => t === "string" || t === "integer" || t === "number") && !("const" in s);
    if (name && SECRET_NAMES.has(name.toLowerCase()) && canHoldSecret && s.airbyte_secret !== true) problems.push(`${path}: a secret not marked airbyte_secret`);
    if (s.airbyte_secret === true && !canHoldSecret) problems.push(`${path}: airbyte_secret on a field that cannot hold one`);
    if ("$ref" in s) problems.push(`${path}: $ref`);
    if ("additionalProperties" in s && s.additionalProperties !== true) problems.push(`${path}: additionalProperties is not true`);
    if (Array.isArray(s.enum) && new Set(s.enum.map((v: unknown) => JSON.stringify(v))).size !== s.enum.length) problems.push(`${path}: duplicate enum values`);
    if (Array.isArray(s.type) && !(s.type.length === 2 && s.type[1] === "null")) problems.push(`${path}: type ${JSON.stringify(s.type)}`);
    for (const keyword of FORBIDDEN) if (keyword in s) problems.push(`${path}: ${keyword}`);
  }
  return problems;
}

/** What CAT's discovery tests would reject in a stream (cat/tests/test_core.py TestDiscovery). */
export function streamProblems(stream: Stream): string[] {
  const problems: string[] = [];
  const properties = stream.json_schema?.properties;
  if (!properties) return [`${stream.name}: no properties`];
  const at = (path: string[]) => path.reduce((s: any, k, i) => (i === 0 ? s?.[k] : s?.properties?.[k]), properties);
  for (const path of stream.source_defined_primary_key ?? []) {
    const field = at(path);
    if (!field) problems.push(`${stream.name}: primary key ${path.join(".")} is not in the schema`);
    else if ([field.type].flat().some((t: string) => t === "object" || t === "array")) problems.push(`${stream.name}: primary key ${path.join(".")} is ${field.type}`);
  }
  if (stream.default_cursor_field && !at(stream.default_cursor_field)) problems.push(`${stream.name}: cursor ${stream.default_cursor_field.join(".")} is not in the schema`);
  if (!stream.supported_sync_modes?.length) problems.push(`${stream.name}: no sync modes`);
  for (const [path, s] of walk(stream.json_schema)) {
    for (const keyword of ["$ref", "allOf", "not"]) if (keyword in s) problems.push(`${stream.name} ${path}: ${keyword}`);
    if ("additionalProperties" in s && s.additionalProperties !== true) problems.push(`${stream.name} ${path}: additionalProperties is not true`);
  }
  return problems;
}
