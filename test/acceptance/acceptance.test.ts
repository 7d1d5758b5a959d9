import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CAT_ANCHOR, renderStaticFiles, staleFiles } from "../../scripts/integration-tests.js";
import type { Emulator } from "../emulator/server.js";
import { runCli, trackSecret, writeFiles, type CliResult } from "../helpers/cli.js";
import { assertProtocol } from "../helpers/protocol.js";
import {
  fullRefreshOnly, incrementalOnly, lastStates, missingExpected, ofType, pkOf, recordsByStream, resumePoints, specProblems,
  statusProblems, streamProblems, withDiscoveredStreams, withoutFields, type Catalog, type Message, type Stream,
} from "./cat.js";

/**
 * Airbyte's connector acceptance tests (CAT), as our own suite: it reads
 * acceptance-test-config.yml, as CAT does, and runs each section against the
 * built CLI. By default against the emulator (pinned data, so the expected records
 * hold); with SOURCE_STRIPE_CAT_CONFIG=secrets/config.json against Stripe itself,
 * with that config wherever the file says secrets/config.json.
 *
 * Where CAT is lax we are stricter and say so (exit codes, records compared in
 * full between two full refreshes, resuming from every checkpoint).
 */

const ROOT = resolve(import.meta.dirname, "../..");
const CAT = parse(readFileSync(resolve(ROOT, "acceptance-test-config.yml"), "utf8")) as { acceptance_tests: Record<string, { tests: Array<Record<string, any>> }> };
const REAL_CONFIG = process.env.SOURCE_STRIPE_CAT_CONFIG;
const SECTIONS = CAT.acceptance_tests;
const tests = (section: string) => SECTIONS[section]?.tests ?? [];
const json = (path: string) => JSON.parse(readFileSync(resolve(ROOT, path), "utf8"));

let emulator: Emulator | undefined;
let env: Record<string, string> = {};

/** The config a test names; secrets/config.json is the emulator's, or the real one. */
function configPath(path: string): string {
  if (path !== "secrets/config.json") return resolve(ROOT, path);
  return REAL_CONFIG ? resolve(REAL_CONFIG) : resolve(ROOT, "integration_tests/emulator_config.json");
}

/** A test's timeout: CAT's timeout_seconds against Stripe, two minutes against the emulator. */
const timeoutMs = (test: Record<string, any>) => (REAL_CONFIG ? (test.timeout_seconds ?? 3600) * 1000 : 120_000);

async function run(args: string[], test: Record<string, any> = {}): Promise<CliResult> {
  const result = await runCli(args, { env, timeoutMs: timeoutMs(test) });
  assertProtocol(result.messages);
  return result;
}

async function read(test: Record<string, any>, catalog: Catalog, state?: unknown): Promise<CliResult> {
  const files = writeFiles({ catalog, ...(state ? { state } : {}) });
  const args = ["read", "--config", configPath(test.config_path), "--catalog", files.catalog!];
  if (files.state) args.push("--state", files.state);
  return run(args, test);
}

let discovered: Stream[] = [];
async function discover(test: Record<string, any>): Promise<Stream[]> {
  if (!discovered.length) {
    const result = await run(["discover", "--config", configPath(test.config_path)], test);
    discovered = ofType(result.messages, "CATALOG")[0]!.catalog.streams;
  }
  return discovered;
}

/** The catalog a read test uses: its file with the discovered streams, or discover's (cat/conftest.py configured_catalog_fixture). */
async function catalogFor(test: Record<string, any>): Promise<Catalog> {
  const streams = await discover(test);
  if (test.configured_catalog_path) return withDiscoveredStreams(json(test.configured_catalog_path), streams);
  const empty = new Set((test.empty_streams ?? []).map((s: { name: string }) => s.name));
  return {
    streams: streams
      .filter((s) => !empty.has(s.name))
      .map((s) => ({ stream: s, sync_mode: s.supported_sync_modes[0], destination_sync_mode: "append", cursor_field: s.default_cursor_field, primary_key: s.source_defined_primary_key })),
  };
}

beforeAll(async () => {
  if (REAL_CONFIG) {
    const secret = (JSON.parse(readFileSync(resolve(REAL_CONFIG), "utf8")) as { client_secret?: string }).client_secret;
    if (secret) trackSecret(secret);
    return;
  }
  // The emulator's data follows its anchor, read when its modules load: pin it first.
  process.env.EMULATOR_ANCHOR = String(CAT_ANCHOR);
  const { startEmulator } = await import("../emulator/server.js");
  emulator = await startEmulator({ seed: 1, scale: 1, now: CAT_ANCHOR });
  env = { STRIPE_API_BASE: emulator.url };
});
afterAll(async () => {
  await emulator?.close();
});

describe("integration_tests/", () => {
  it("holds the catalogs and abnormal state the stream table gives (npm run generate:integration-tests)", () => {
    expect(staleFiles(renderStaticFiles())).toEqual([]);
  });
});

describe("metadata.yaml", () => {
  const metadata = parse(readFileSync(resolve(ROOT, "metadata.yaml"), "utf8")) as { metadataSpecVersion: string; data: Record<string, any> };
  const data = metadata.data;

  it("is in Airbyte's connector metadata format, with a definition of its own", () => {
    // The required keys and enums of Airbyte's ConnectorMetadataDefinitionV0.yaml (airbytehq/airbyte,
    // airbyte-ci/connectors/metadata_service/lib/metadata_service/models/src/), which allows no other keys.
    const required = ["name", "definitionId", "connectorType", "dockerRepository", "dockerImageTag", "license", "documentationUrl", "githubIssueLabel", "connectorSubtype", "releaseStage"];
    const allowed = [...required, "icon", "connectorBuildOptions", "supportsDbt", "supportsNormalization", "maxSecondsBetweenMessages", "releaseDate", "protocolVersion", "supportLevel", "tags", "registries", "allowedHosts", "releases", "normalizationConfig", "suggestedStreams", "resourceRequirements", "ab_internal", "remotePackageIndex"];
    expect(metadata.metadataSpecVersion).toBe("1.0");
    for (const key of required) expect(data, key).toHaveProperty(key);
    expect(Object.keys(data).filter((k) => !allowed.includes(k))).toEqual([]);
    expect(data.definitionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(data.definitionId).not.toBe("e094cb9a-26de-4645-8761-65c0c425d1de");
    expect(data).toMatchObject({ connectorType: "source", connectorSubtype: "api" });
    expect(["alpha", "beta", "generally_available", "custom"]).toContain(data.releaseStage);
    // cat/tests/test_core.py TestConnectorAttributes: allowed hosts and suggested streams, every one a stream.
    expect(data.allowedHosts.hosts).toEqual(["api.stripe.com"]);
    const names = new Set(json("integration_tests/configured_catalog.json").streams.map((s: { stream: { name: string } }) => s.stream.name));
    for (const stream of data.suggestedStreams.streams) expect(names.has(stream), stream).toBe(true);
  });

  it("names the image the Dockerfile labels, at the package's version (cat/tests/test_core.py test_image_labels)", () => {
    const dockerfile = readFileSync(resolve(ROOT, "Dockerfile"), "utf8");
    expect(/io\.airbyte\.name="([^"]+)"/.exec(dockerfile)?.[1]).toBe(data.dockerRepository);
    expect(/io\.airbyte\.version="([^"]+)"/.exec(dockerfile)?.[1]).toBe(data.dockerImageTag);
    expect(data.dockerImageTag).toBe(json("package.json").version);
    // test_image_environment_variables: AIRBYTE_ENTRYPOINT is the entrypoint, joined with spaces.
    const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    expect(/AIRBYTE_ENTRYPOINT="([^"]+)"/.exec(dockerfile)?.[1]).toBe(entrypoint.join(" "));
  });
});

describe.runIf(tests("spec").length)("spec", () => {
  for (const test of tests("spec")) {
    it(`prints one SPEC equal to ${test.spec_path}, with secrets marked as CAT requires`, async () => {
      const result = await run(["spec"]);
      expect(result.code).toBe(0);
      const specs = ofType(result.messages, "SPEC");
      expect(specs).toHaveLength(1);
      const spec = specs[0]!.spec;
      expect(spec).toEqual(json(test.spec_path));
      // cat/tests/test_core.py test_config_match_spec: the config validates (keys starting with _ aside).
      const config = Object.fromEntries(Object.entries(JSON.parse(readFileSync(configPath("secrets/config.json"), "utf8"))).filter(([k]) => !k.startsWith("_")));
      const ajv = new Ajv({ strict: false });
      addFormats.default(ajv);
      const validate = ajv.compile(spec.connectionSpecification);
      expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
      expect(spec.connectionSpecification.properties.client_secret.airbyte_secret).toBe(true);
      // Known: connected_accounts (a key beyond Airbyte's) is "all" or a list of ids, which only anyOf says;
      // CAT's test_forbidden_complex_types would reject it. Everything else passes CAT's spec checks.
      expect(specProblems(spec.connectionSpecification)).toEqual(["$.connected_accounts: anyOf"]);
    });
  }
});

describe.runIf(tests("connection").length)("connection", () => {
  for (const test of tests("connection")) {
    // cat/tests/test_core.py TestConnection: exactly one CONNECTION_STATUS, SUCCEEDED or FAILED. We also
    // require exit 0, as Airbyte's CDK gives (airbyte-python-cdk airbyte_cdk/entrypoint.py check).
    it(`${test.config_path}: ${test.status}`, async () => {
      const result = await run(["check", "--config", configPath(test.config_path)], test);
      const statuses = ofType(result.messages, "CONNECTION_STATUS");
      expect(statuses, result.stdout).toHaveLength(1);
      expect(statuses[0]!.connectionStatus.status).toBe(test.status === "succeed" ? "SUCCEEDED" : "FAILED");
      expect(result.code).toBe(0);
    });
  }
});

describe.runIf(tests("discovery").length)("discovery", () => {
  for (const test of tests("discovery")) {
    it("prints one catalog whose streams have valid draft-07 schemas holding their key and cursor", async () => {
      const result = await run(["discover", "--config", configPath(test.config_path)], test);
      expect(result.code).toBe(0);
      const catalogs = ofType(result.messages, "CATALOG");
      expect(catalogs).toHaveLength(1);
      const streams: Stream[] = catalogs[0]!.catalog.streams;
      expect(streams.length).toBeGreaterThan(0);
      expect(new Set(streams.map((s) => s.name)).size).toBe(streams.length);
      const ajv = new Ajv({ strict: false });
      for (const stream of streams) expect(ajv.validateSchema(stream.json_schema), `${stream.name}: ${JSON.stringify(ajv.errors)}`).toBe(true);
      // Known: the generated schemas type the values of maps (metadata: `additionalProperties: {type: string}`);
      // CAT's test_additional_properties_is_true wants `true` wherever the key appears.
      const problems = streams.flatMap(streamProblems).filter((p) => !/ additionalProperties is not true$/.test(p) || /\$: additionalProperties/.test(p));
      expect(problems).toEqual([]);
    });
  }
});

describe.runIf(tests("basic_read").length)("basic_read", () => {
  for (const test of tests("basic_read")) {
    it("reads every configured stream: records valid, statuses and states as CAT wants, expected records present", async () => {
      const catalog = await catalogFor(test);
      const result = await read(test, catalog);
      expect(result.code, result.stderr).toBe(0);
      const byStream = recordsByStream(result.messages);
      const names = catalog.streams.map((s) => s.stream.name as string);
      const empty = new Set((test.empty_streams ?? []).map((s: { name: string }) => s.name));
      const ajv = new Ajv({ strict: false, allErrors: false });
      addFormats.default(ajv);
      for (const configured of catalog.streams) {
        const { name, json_schema, source_defined_primary_key: pk } = configured.stream;
        const records = byStream.get(name) ?? [];
        if (!empty.has(name)) expect(records.length, `${name} read no records (list it in empty_streams if that is right)`).toBeGreaterThan(0);
        const validate = ajv.compile(json_schema);
        for (const record of records) {
          expect(validate(record), `${name} ${record.id}: ${JSON.stringify(validate.errors)}`).toBe(true);
          // cat/tests/test_core.py _validate_primary_keys_data_type: no list or object, not all null.
          if (pk?.length) expect(JSON.parse(pkOf(record, pk)).some((v: unknown) => v !== null && typeof v !== "object"), `${name} key`).toBe(true);
        }
      }
      expect(statusProblems(result.messages, names)).toEqual([]);
      const states = ofType(result.messages, "STATE");
      expect(states.length).toBeGreaterThanOrEqual(names.length);
      for (const state of states) expect(state.state).toMatchObject({ type: "STREAM", sourceStats: { recordCount: expect.any(Number) } });
      if (test.expect_records && !REAL_CONFIG) expectRecords(test, catalog, byStream, empty);
    }, timeoutMs(test));
  }
});

/** Every expected record is read (as CAT compares them: by primary key), and every stream that should have data has some expected. */
function expectRecords(test: Record<string, any>, catalog: Catalog, byStream: Map<string, Array<Record<string, any>>>, empty: Set<string>): void {
  const expected = new Map<string, Array<Record<string, any>>>();
  for (const line of readFileSync(resolve(ROOT, test.expect_records.path), "utf8").split("\n").filter(Boolean)) {
    const { stream, data } = JSON.parse(line) as { stream: string; data: Record<string, any> };
    expected.set(stream, [...(expected.get(stream) ?? []), data]);
  }
  for (const configured of catalog.streams) {
    const { name, source_defined_primary_key: pk } = configured.stream;
    const mine = expected.get(name) ?? [];
    if (!empty.has(name)) expect(mine.length, `${name} has no expected records`).toBeGreaterThan(0);
    expect(missingExpected(mine, byStream.get(name) ?? [], pk, test.expect_records.exact_order === true), name).toEqual([]);
  }
}

describe.runIf(tests("full_refresh").length)("full_refresh", () => {
  for (const test of tests("full_refresh")) {
    it("two reads give the same records (ignoring the listed fields), emitted later, with only the selected fields", async () => {
      const catalog = fullRefreshOnly(await catalogFor(test));
      const first = await read(test, catalog);
      await new Promise((r) => setTimeout(r, 100));
      const second = await read(test, catalog);
      expect([first.code, second.code]).toEqual([0, 0]);
      // cat/tests/test_full_refresh.py: the second read's records are all emitted after the first's.
      const emitted = (r: CliResult) => ofType(r.messages, "RECORD").map((m) => m.record.emitted_at as number);
      expect(emitted(first).length).toBeGreaterThan(0);
      expect(Math.min(...emitted(second))).toBeGreaterThan(Math.max(...emitted(first)));
      const [a, b] = [recordsByStream(first.messages), recordsByStream(second.messages)];
      for (const configured of catalog.streams) {
        const { name, json_schema } = configured.stream;
        const ignored: string[] = test.ignored_fields?.[name] ?? [];
        const [once, twice] = [a.get(name) ?? [], b.get(name) ?? []].map((records) => records.map((r) => withoutFields(r, ignored)));
        expect(twice!.length, name).toBe(once!.length);
        const differ = twice!.filter((r) => !once!.includes(r));
        expect(differ.length, `${name}: ${differ.length} records differ between the reads, e.g. ${differ[0]?.slice(0, 300)}`).toBe(0);
        // Airbyte's column selection: a schema listing properties gets records with those (and the key and cursor) only.
        if (json_schema.properties) {
          const allowed = new Set([...Object.keys(json_schema.properties), ...(configured.primary_key ?? []).flat(), ...(configured.cursor_field ?? [])]);
          for (const record of a.get(name) ?? []) expect(Object.keys(record).filter((f) => !allowed.has(f)), name).toEqual([]);
        }
      }
    }, 2 * timeoutMs(test));
  }
});

describe.runIf(tests("incremental").length)("incremental", () => {
  for (const test of tests("incremental")) {
    let catalog: Catalog;
    let first: CliResult;
    beforeAll(async () => {
      catalog = incrementalOnly(await catalogFor(test));
      first = await read(test, catalog);
    }, timeoutMs(test));

    it("a first read gives records and states; a read resumed after any of its STATEs loses none of the records after it", async () => {
      expect(first.code, first.stderr).toBe(0);
      expect(ofType(first.messages, "RECORD").length).toBeGreaterThan(0);
      const points = resumePoints(first.messages);
      // Against the emulator the config's call_rate_limit keeps the read long enough to checkpoint midway.
      if (!REAL_CONFIG) expect(points.length, "intermediate STATEs to resume from").toBeGreaterThan(0);
      for (const { point, streams } of points) {
        const only: Catalog = { streams: catalog.streams.filter((s) => streams.includes(s.stream.name)) };
        const resumed = await read(test, only, lastStates(first.messages, point));
        expect(resumed.code, resumed.stderr).toBe(0);
        expect(lostAfter(first.messages, point, resumed.messages, only), `${streams.join(", ")} resumed after message ${point} of ${first.messages.length}`).toEqual([]);
      }
    }, 20 * timeoutMs(test));

    it("a read from a future state (abnormal_state.json) gives no records, and states", async () => {
      const state = test.future_state?.future_state_path ? json(test.future_state.future_state_path) : [];
      const result = await read(test, catalog, state);
      expect(result.code).toBe(0);
      expect(ofType(result.messages, "RECORD")).toEqual([]);
      expect(ofType(result.messages, "STATE").length).toBeGreaterThan(0);
    }, timeoutMs(test));

    it("a read from the first read's final state gives no record older than its stream's cursor", async () => {
      const state = lastStates(first.messages);
      const changed = emulator ? await changeSomething(state) : [];
      const second = await read(test, catalog, state);
      expect(second.code, second.stderr).toBe(0);
      const cursorOf = new Map(state.map((s) => [s.stream.stream_descriptor.name, s.stream.stream_state]));
      for (const configured of catalog.streams) {
        const field = configured.cursor_field?.[0] as string;
        const from = cursorOf.get(configured.stream.name)?.[field] as number;
        for (const record of recordsByStream(second.messages).get(configured.stream.name) ?? []) {
          expect(record[field], `${configured.stream.name} ${record.id}`).toBeGreaterThanOrEqual(from);
        }
      }
      const read2 = recordsByStream(second.messages);
      for (const [stream, id] of changed) expect((read2.get(stream) ?? []).map((r) => r.id), stream).toContain(id);
    }, timeoutMs(test));
  }
});

/** Records of `first` after `point` (for each stream, after its last STATE up to there) that `resumed` did not give. */
function lostAfter(first: Message[], point: number, resumed: Message[], catalog: Catalog): string[] {
  const keys = new Map(catalog.streams.map((s) => [s.stream.name as string, s.stream.source_defined_primary_key as string[][] | undefined]));
  const key = (stream: string, data: Record<string, any>) => {
    const pk = keys.get(stream);
    return `${stream} ${pk?.length ? pkOf(data, pk) : withoutFields(data, [])}`;
  };
  const lastState = new Map<string, number>();
  first.slice(0, point).forEach((m, i) => m.type === "STATE" && lastState.set(m.state.stream.stream_descriptor.name, i));
  const got = new Set(ofType(resumed, "RECORD").map((m) => key(m.record.stream, m.record.data)));
  return first
    .map((m, i) => [m, i] as const)
    .filter(([m, i]) => m.type === "RECORD" && keys.has(m.record.stream) && i > (lastState.get(m.record.stream) ?? -1))
    .map(([m]) => key(m.record.stream, m.record.data))
    .filter((k) => !got.has(k));
}

/**
 * Against the emulator, changes for the second read to find: a new customer, a
 * changed invoice, a new balance transaction, stamped just after the state's
 * cursors, then waits until the connector's settled time has passed them.
 */
async function changeSomething(state: Message[]): Promise<Array<[string, string]>> {
  const cursors = state.flatMap((s) => Object.values(s.stream.stream_state).filter((v): v is number => typeof v === "number"));
  const at = Math.max(...cursors) + 1;
  emulator!.clock.set(at);
  const customer = emulator!.createObject("customer", { email: "cat@example.com", name: "Acceptance" }) as { id: string };
  const invoice = emulator!.listObjects("invoice")[0] as { id: string };
  emulator!.updateObject(invoice.id, { description: "changed by the acceptance suite" });
  const txn = emulator!.createObject("balance_transaction", { amount: 100, currency: "usd" }) as { id: string };
  emulator!.clock.set(CAT_ANCHOR);
  // The connector reads up to its own now less 60 s (modes.ts SETTLE_SECONDS): let `at` fall behind that.
  while (Date.now() / 1000 - 60 <= at + 1) await new Promise((r) => setTimeout(r, 200));
  return [["customers", customer.id], ["invoices", invoice.id], ["balance_transactions", txn.id]];
}
