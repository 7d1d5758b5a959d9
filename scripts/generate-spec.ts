import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { specMessage } from "../src/commands/spec.js";
import { PACKAGE_ROOT } from "../src/package-root.js";

export const SPEC_PATH = join(PACKAGE_ROOT, "spec.json");

/** spec.json is the `spec` command's output, derived from the zod config schema. */
export function renderSpec(): string {
  return JSON.stringify(specMessage().spec, null, 2) + "\n";
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rendered = renderSpec();
  if (process.argv.includes("--check")) {
    if (readFileSync(SPEC_PATH, "utf8") !== rendered) {
      console.error("spec.json is out of date: run npm run generate:spec");
      process.exit(1);
    }
  } else {
    writeFileSync(SPEC_PATH, rendered);
  }
}
