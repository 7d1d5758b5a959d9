/**
 * Loads the committed reference data under test/emulator/data/ (written by
 * scripts/extract-emulator-data.ts). Works from the TypeScript sources (vitest)
 * and from the compiled copy under dist/.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export type Json = Record<string, unknown>;

export interface EndpointInfo {
  path: string;
  kind: "list" | "search";
  params: string[];
  required: string[];
  parentParams: string[];
  objectType: string | null;
  hasCreated: boolean | null;
  createdFilter: boolean;
}

export interface EmulatorData {
  apiVersion: string;
  fixtures: Record<string, Json>;
  endpoints: EndpointInfo[];
  eventTypes: Set<string>;
  expandable: Record<string, string[]>;
}

function dataDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, "data"), path.resolve(here, "..", "..", "..", "test", "emulator", "data")];
  for (const dir of candidates) if (existsSync(path.join(dir, "fixtures.json"))) return dir;
  throw new Error(`emulator data not found (looked in ${candidates.join(", ")}); run scripts/extract-emulator-data`);
}

let cached: EmulatorData | undefined;

export function loadData(): EmulatorData {
  if (cached) return cached;
  const dir = dataDir();
  const read = (name: string): Json => JSON.parse(readFileSync(path.join(dir, name), "utf8")) as Json;
  const endpointsFile = read("endpoints.json");
  const eventsFile = read("event-types.json");
  cached = {
    apiVersion: String(endpointsFile.api_version),
    fixtures: read("fixtures.json") as Record<string, Json>,
    endpoints: endpointsFile.endpoints as EndpointInfo[],
    eventTypes: new Set(eventsFile.types as string[]),
    expandable: read("expandable.json") as Record<string, string[]>,
  };
  return cached;
}
