import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { STREAMS } from "../../src/streams/table.js";
import { CLI, writeFiles } from "./cli.js";
import { lastStates } from "./incremental.js";

export interface Attempt {
  records: Array<{ stream: string; id: string }>;
  /** The STATE messages printed, in order, whole lines only. */
  states: Array<Record<string, any>>;
  /** Exit code when it ended by itself; null when it was killed. */
  code: number | null;
  /** Milliseconds from start to the first RECORD, if any. */
  firstRecordMs?: number;
}

/** Runs one `read`, killing it with SIGKILL after `killAfterMs` (if still running). Only whole lines count. */
export function readAttempt(files: { config: string; catalog: string; state?: string }, env: Record<string, string>, killAfterMs: number): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const args = ["read", "--config", files.config, "--catalog", files.catalog, ...(files.state ? ["--state", files.state] : [])];
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const attempt: Attempt = { records: [], states: [], code: null };
    let buffer = "";
    let killed = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf("\n")) >= 0) {
        const message = JSON.parse(buffer.slice(0, i)) as Record<string, any>;
        buffer = buffer.slice(i + 1);
        if (message.type === "RECORD") {
          attempt.firstRecordMs ??= Date.now() - started;
          attempt.records.push({ stream: message.record.stream, id: String(message.record.data.id) });
        } else if (message.type === "STATE") attempt.states.push(message.state);
      }
    });
    child.stderr.resume();
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, killAfterMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      attempt.code = killed ? null : code;
      resolve(attempt);
    });
  });
}

export interface KillLoopResult {
  attempts: Attempt[];
  /** Every record emitted over all attempts. */
  emitted: number;
  /** Ids per stream over all attempts. */
  ids: Map<string, Set<string>>;
  /** The state the last attempt left (as the platform would keep it). */
  state: unknown[];
}

/**
 * Reads until a read finishes by itself, killing each attempt after `killAfter()`
 * ms and resuming the next from the last STATE per stream, as Airbyte's platform
 * does between attempts of one sync.
 */
export async function readUntilDone(
  config: Record<string, unknown>,
  streams: Array<{ name: string; syncMode: "incremental" | "full_refresh" }>,
  env: Record<string, string>,
  killAfter: () => number,
  initialState: unknown[] = [],
  maxAttempts = 200,
): Promise<KillLoopResult> {
  const files = writeFiles({ config, catalog: catalogOf(streams) });
  let state = initialState;
  const attempts: Attempt[] = [];
  const ids = new Map<string, Set<string>>(streams.map((s) => [s.name, new Set<string>()]));
  for (let n = 0; n < maxAttempts; n++) {
    const stateFile = `${files.config}.state-${n}.json`;
    writeFileSync(stateFile, JSON.stringify(state));
    const attempt = await readAttempt({ config: files.config!, catalog: files.catalog!, state: stateFile }, env, killAfter());
    attempts.push(attempt);
    for (const r of attempt.records) ids.get(r.stream)!.add(r.id);
    state = lastStates(attempt.states.map((s) => ({ type: "STATE", state: s })), state);
    if (attempt.code !== null) {
      if (attempt.code !== 0) throw new Error(`attempt ${n} exited ${attempt.code}`);
      return { attempts, emitted: attempts.reduce((sum, a) => sum + a.records.length, 0), ids, state };
    }
  }
  throw new Error(`no attempt finished in ${maxAttempts}`);
}

function catalogOf(streams: Array<{ name: string; syncMode: string }>): unknown {
  return {
    streams: streams.map((s) => {
      const def = STREAMS.find((d) => d.name === s.name)!;
      return {
        stream: { name: s.name, json_schema: {}, supported_sync_modes: def.incremental ? ["full_refresh", "incremental"] : ["full_refresh"] },
        sync_mode: s.syncMode,
        destination_sync_mode: "append",
      };
    }),
  };
}
