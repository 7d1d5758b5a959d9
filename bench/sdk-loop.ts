/**
 * Baseline "sequential SDK loop": what a plain script with the official SDK does.
 * Auto-paginates stripe.charges.list({limit: 100}) with `for await`, one request at
 * a time, and writes each charge as one JSON line on stdout.
 *
 *   node dist/bench/sdk-loop.js --port P --key K [--host H] [--max-records N] [--max-seconds S]
 *
 * Stops after N records or S seconds (0 = no limit), whichever comes first; with
 * --startup-only it loads the SDK, builds the client and exits (the fixed CPU cost
 * the bench subtracts to compare per-record costs). Output
 * is buffered into chunks and honours back-pressure, so the loop's CPU cost is the
 * SDK's and JSON's, not one write(2) per line.
 */
import Stripe from "stripe";

interface Args {
  host: string;
  port: number;
  key: string;
  maxRecords: number;
  maxSeconds: number;
  startupOnly: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { host: "127.0.0.1", port: 0, key: "", maxRecords: 0, maxSeconds: 0, startupOnly: false };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    if (flag === "--startup-only") {
      args.startupOnly = true;
      i--;
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    switch (flag) {
      case "--host":
        args.host = value;
        break;
      case "--port":
        args.port = Number(value);
        break;
      case "--key":
        args.key = value;
        break;
      case "--max-records":
        args.maxRecords = Number(value);
        break;
      case "--max-seconds":
        args.maxSeconds = Number(value);
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  if (!args.port || !args.key) throw new Error("usage: sdk-loop.js --port P --key K [--host H] [--max-records N] [--max-seconds S]");
  return args;
}

const CHUNK_BYTES = 64 * 1024;
let pending: string[] = [];
let pendingBytes = 0;

async function flush(): Promise<void> {
  if (pending.length === 0) return;
  const text = pending.join("");
  pending = [];
  pendingBytes = 0;
  if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once("drain", resolve));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const stripe = new Stripe(args.key, { host: args.host, port: args.port, protocol: "http", maxNetworkRetries: 5 });
  if (args.startupOnly) return;
  const deadline = args.maxSeconds > 0 ? performance.now() + args.maxSeconds * 1000 : Infinity;
  let count = 0;
  for await (const charge of stripe.charges.list({ limit: 100 })) {
    const line = JSON.stringify(charge) + "\n";
    pending.push(line);
    pendingBytes += line.length;
    if (pendingBytes >= CHUNK_BYTES) await flush();
    count++;
    if ((args.maxRecords > 0 && count >= args.maxRecords) || performance.now() >= deadline) break;
  }
  await flush();
  process.stderr.write(`sdk-loop: ${count} charges\n`);
}

process.once("SIGTERM", () => {
  void flush().finally(() => process.exit(143));
});
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(141);
  throw error;
});

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`sdk-loop: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
