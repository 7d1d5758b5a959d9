import { ConfigError } from "../errors.js";

export type Command =
  | { name: "spec" }
  | { name: "help" }
  | { name: "check"; config: string }
  | { name: "discover"; config: string }
  | { name: "read"; config: string; catalog: string; state?: string };

export const USAGE = `Usage: source-stripe <command> [options]

Commands (Airbyte protocol; messages on stdout, one JSON per line):
  spec                                                  print the connector specification
  check    --config FILE                                validate the config and the API key
  discover --config FILE                                print the catalog of streams
  read     --config FILE --catalog FILE [--state FILE]  read the selected streams
  --help                                                this text

With no arguments (or only --log.level=LEVEL) it speaks Estuary Flow's capture protocol:
one JSON request on stdin ({"spec":{}}, {"discover":...}, {"validate":...}, {"apply":...}, {"open":...}).

Environment: STRIPE_API_BASE (e.g. http://127.0.0.1:12111) points the Stripe SDK elsewhere.`;

const FLAGS: Record<string, readonly string[]> = {
  spec: [],
  check: ["config"],
  discover: ["config"],
  read: ["config", "catalog", "state"],
};
const REQUIRED: Record<string, readonly string[]> = { check: ["config"], discover: ["config"], read: ["config", "catalog"] };

/** Parses argv (without node and script); every mistake is a one-line ConfigError. */
export function parseArgs(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") return { name: "help" };
  if (command === undefined) throw new ConfigError("No command given (see --help).");
  const allowed = FLAGS[command];
  if (!allowed) throw new ConfigError(`Unknown command "${command}". Commands: spec, check, discover, read (see --help).`);
  const flags: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === "--help" || arg === "-h") return { name: "help" };
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new ConfigError(`Unexpected argument "${arg}" for ${command} (see --help).`);
    const name = match[1]!;
    if (!allowed.includes(name)) throw new ConfigError(`Unknown option --${name} for ${command} (see --help).`);
    if (name in flags) throw new ConfigError(`Option --${name} is given twice.`);
    const value = match[2] ?? rest[++i];
    if (value === undefined || value === "" || (match[2] === undefined && value.startsWith("--"))) {
      throw new ConfigError(`Option --${name} needs a file path.`);
    }
    flags[name] = value;
  }
  for (const name of REQUIRED[command] ?? []) {
    if (!(name in flags)) throw new ConfigError(`${command} needs --${name} FILE (see --help).`);
  }
  switch (command) {
    case "spec":
      return { name: "spec" };
    case "check":
      return { name: "check", config: flags.config! };
    case "discover":
      return { name: "discover", config: flags.config! };
    default:
      return { name: "read", config: flags.config!, catalog: flags.catalog!, state: flags.state };
  }
}
