import { describe, expect, it } from "vitest";
import { parseArgs } from "../src/cli/args.js";

describe("argv", () => {
  it("parses each command, with --flag value and --flag=value", () => {
    expect(parseArgs(["spec"])).toEqual({ name: "spec" });
    expect(parseArgs(["check", "--config", "c.json"])).toEqual({ name: "check", config: "c.json" });
    expect(parseArgs(["discover", "--config=c.json"])).toEqual({ name: "discover", config: "c.json" });
    expect(parseArgs(["read", "--config", "c", "--catalog", "k", "--state", "s"])).toEqual({
      name: "read",
      config: "c",
      catalog: "k",
      state: "s",
    });
    expect(parseArgs(["--help"])).toEqual({ name: "help" });
  });

  const bad: Array<[string[], RegExp]> = [
    [["launch"], /Unknown command "launch"/],
    [["read", "--config", "c"], /read needs --catalog/],
    [["check"], /check needs --config/],
    [["check", "--config"], /--config needs a file path/],
    [["check", "--config", "--catalog"], /--config needs a file path/],
    [["check", "--config", "a", "--config", "b"], /given twice/],
    [["discover", "--config", "c", "--catalog", "k"], /Unknown option --catalog for discover/],
    [["spec", "extra"], /Unexpected argument "extra"/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${argv.join(" ")}`, () => expect(() => parseArgs(argv)).toThrow(message));
  }
});
