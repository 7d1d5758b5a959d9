import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Several files mostly wait (for settling, for kills, for polls): four at once keep two cores busy.
    maxWorkers: 4,
    reporters: ["default"],
  },
});
