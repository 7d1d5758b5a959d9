#!/usr/bin/env node
/**
 * Runs the Stripe emulator until SIGTERM/SIGINT:
 *
 *   node dist/test/emulator/cli.js --port 12111 --seed 1 --scale N [--now EPOCH]
 *     [--latency MS] [--jitter MS] [--rate-limit R] [--endpoint-rate-limit R] [--retry-after S]
 *     [--p429 x --p500 y --p-reset z] [--disable issuing[,treasury]]
 *     [--bulk charge:1000000[:yearsBack[:growth]]] [--secret-key KEY]
 */
import { EMULATOR_KEY, type EmulatorOptions, startEmulator } from "./server.js";

function parseArgs(argv: string[]): EmulatorOptions {
  const opts: EmulatorOptions = {};
  const faults: NonNullable<EmulatorOptions["faults"]> = {};
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n)) throw new Error(`${flag} needs a number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const v = argv[i + 1];
    switch (flag) {
      case "--port":
        opts.port = num(flag, v);
        break;
      case "--host":
        opts.host = v;
        break;
      case "--seed":
        opts.seed = num(flag, v);
        break;
      case "--scale":
        opts.scale = num(flag, v);
        break;
      case "--now":
        opts.now = num(flag, v);
        break;
      case "--latency":
        opts.latencyMs = num(flag, v);
        break;
      case "--jitter":
        opts.latencyJitterMs = num(flag, v);
        break;
      case "--rate-limit":
        opts.rateLimit = num(flag, v);
        break;
      case "--endpoint-rate-limit":
        opts.endpointRateLimit = num(flag, v);
        break;
      case "--retry-after":
        opts.retryAfter = num(flag, v);
        break;
      case "--p429":
        faults.p429 = num(flag, v);
        break;
      case "--p500":
        faults.p500 = num(flag, v);
        break;
      case "--p-reset":
        faults.pReset = num(flag, v);
        break;
      case "--disable":
        opts.disabledProducts = [...(opts.disabledProducts ?? []), ...(v ?? "").split(",").filter(Boolean)];
        break;
      case "--bulk": {
        const [object, count, years, growth] = (v ?? "").split(":");
        if (!object || !count) throw new Error("--bulk needs object:count[:yearsBack[:growth]]");
        const bulk = { object, count: num(flag, count), ...(years ? { yearsBack: num(flag, years) } : {}), ...(growth ? { growth: num(flag, growth) } : {}) };
        opts.bulk = [...(Array.isArray(opts.bulk) ? opts.bulk : opts.bulk ? [opts.bulk] : []), bulk];
        break;
      }
      case "--secret-key":
        if (!v) throw new Error("--secret-key needs a key");
        opts.keys = { ...opts.keys, secret: v };
        break;
      case "--help":
      case "-h":
        console.log("usage: cli.js [--port N] [--seed N] [--scale N] [--now EPOCH] [--latency MS] [--jitter MS] [--rate-limit R] [--endpoint-rate-limit R] [--retry-after S] [--p429 P] [--p500 P] [--p-reset P] [--disable PRODUCT] [--bulk object:count[:years[:growth]]] [--secret-key KEY]");
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
    i++;
  }
  if (Object.keys(faults).length > 0) opts.faults = faults;
  return opts;
}

async function main(): Promise<void> {
  let opts: EmulatorOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`emulator: ${(e as Error).message}`);
    process.exit(2);
  }
  const emulator = await startEmulator({ port: 12111, ...opts });
  console.log(`emulator listening on ${emulator.url} (key ${opts.keys?.secret ?? EMULATOR_KEY})`);
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

void main();
