import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../package-root.js";
import type { StreamDef } from "./types.js";

/** A stream's JSON schema, as generated into `schemas/` (see scripts/generate-schemas.ts). */
export function streamSchema(def: StreamDef): Record<string, unknown> {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, "schemas", `${def.name}.json`), "utf8")) as Record<string, unknown>;
}
