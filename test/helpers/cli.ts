import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const CLI = resolve(import.meta.dirname, "../../dist/src/main.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  messages: Array<Record<string, any>>;
}

/**
 * Every secret any test hands the connector. Each CLI run of the whole suite
 * fails its test if one of them appears anywhere in what the process printed.
 */
const SECRETS = new Set<string>();
export function trackSecret(secret: string): void {
  SECRETS.add(secret);
}

/** Runs the built CLI like a user would, and checks its output for secrets. */
export function runCli(args: string[], options: { env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      for (const secret of SECRETS) {
        if (stdout.includes(secret) || stderr.includes(secret)) {
          reject(new Error(`the API key ${secret.slice(0, 8)}... appeared in the output of ${args.join(" ")}`));
          return;
        }
      }
      const messages: Array<Record<string, any>> = [];
      for (const line of stdout.split("\n")) {
        if (line.length === 0) continue;
        try {
          messages.push(JSON.parse(line) as Record<string, any>);
        } catch {
          reject(new Error(`stdout of ${args.join(" ")} has a line that is not JSON: ${line.slice(0, 200)}`));
          return;
        }
      }
      resolvePromise({ code, signal, stdout, stderr, messages });
    });
    child.stdin.end(options.stdin ?? "");
  });
}

/** Writes JSON files for a run into a fresh temporary folder and returns their paths. */
export function writeFiles(files: Record<string, unknown>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "source-stripe-"));
  const paths: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, `${name}.json`);
    const secret = (content as { client_secret?: unknown } | null)?.client_secret;
    if (typeof secret === "string" && secret.length >= 8) trackSecret(secret);
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
    paths[name] = path;
  }
  return paths;
}

export function records(result: CliResult, stream?: string): Array<Record<string, any>> {
  return result.messages
    .filter((m) => m.type === "RECORD" && (stream === undefined || m.record.stream === stream))
    .map((m) => m.record.data);
}

export function configuredCatalog(streams: Array<{ name: string; syncMode?: "full_refresh" | "incremental" }>): unknown {
  return {
    streams: streams.map(({ name, syncMode }) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ["full_refresh", "incremental"] },
      sync_mode: syncMode ?? "full_refresh",
      destination_sync_mode: syncMode === "incremental" ? "append_dedup" : "overwrite",
    })),
  };
}
