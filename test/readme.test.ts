import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { README_PATH, renderReadme } from "../scripts/readme-tables.js";

describe("README", () => {
  it("has the current stream and config tables (regenerate with npm run generate:readme)", () => {
    const readme = readFileSync(README_PATH, "utf8");
    expect(readme).toBe(renderReadme(readme));
  });

  it("starts with the two commands: the demo and the tests, and CI runs that same test command", () => {
    const readme = readFileSync(README_PATH, "utf8");
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    expect(firstBlock).toMatch(/npm ci && npm run demo/);
    expect(firstBlock).toMatch(/^npm test\b/m);
    expect(readFileSync(new URL("../.ci/run", import.meta.url), "utf8")).toMatch(/^npm test$/m);
  });
});
