import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { migrationProblems } from "../scripts/migration-table.js";
import { README_PATH, renderReadme } from "../scripts/readme-tables.js";

describe("README", () => {
  it("has the current stream, config and migration tables (regenerate with npm run generate:readme)", () => {
    const readme = readFileSync(README_PATH, "utf8");
    expect(readme).toBe(renderReadme(readme));
  });

  it("says where every field of Airbyte's schemas that we lack went, naming only fields we describe", () => {
    expect(migrationProblems()).toEqual([]);
  });

  it("starts with the two commands: the demo and the tests, and CI runs that same test command", () => {
    const readme = readFileSync(README_PATH, "utf8");
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    expect(firstBlock).toMatch(/npm ci && npm run demo/);
    expect(firstBlock).toMatch(/^npm test\b/m);
    expect(readFileSync(new URL("../.ci/run", import.meta.url), "utf8")).toMatch(/^npm test$/m);
  });
});
