/**
 * Child processes of the bench: the emulator (its own process, so it does not share
 * the measured process's CPU) and measured runs (the connector or the SDK loop),
 * preloaded with probe.js. Every child is tracked and killed when the bench ends,
 * however it ends.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { LineCounter } from "./lines.js";
import type { ProbeReport } from "./probe.js";

const DIST = join(import.meta.dirname, "..");
export const CONNECTOR = join(DIST, "src", "main.js");
export const EMULATOR_CLI = join(DIST, "test", "emulator", "cli.js");
export const SDK_LOOP = join(DIST, "bench", "sdk-loop.js");
const PROBE_URL = pathToFileURL(join(DIST, "bench", "probe.js")).href;

/**
 * The node options the image starts the connector with (the Dockerfile's
 * ENTRYPOINT between `node` and the script): the bench measures the connector
 * as it ships.
 */
export function connectorNodeArgs(): string[] {
  const dockerfile = readFileSync(join(DIST, "..", "Dockerfile"), "utf8");
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
  if (!entrypoint) throw new Error("Dockerfile has no ENTRYPOINT [...] line");
  const argv = JSON.parse(entrypoint) as string[];
  return argv.slice(1, -1);
}

const live = new Set<ChildProcess>();

/** Kills every child still running (SIGKILL: used on the way out). */
export function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  live.clear();
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
}

function track(child: ChildProcess): ChildProcess {
  hookExit();
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

/** Keeps the last `max` lines of a stream, for error reports. */
class Tail {
  private lines: string[] = [];
  private partial = "";
  constructor(private readonly max = 20) {}
  push(text: string): void {
    const parts = (this.partial + text).split("\n");
    this.partial = parts.pop() ?? "";
    this.lines.push(...parts.filter((l) => l.trim() !== ""));
    if (this.lines.length > this.max) this.lines = this.lines.slice(-this.max);
  }
  text(): string {
    return [...this.lines, this.partial].filter((l) => l.trim() !== "").join("\n");
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc; null where /proc is missing. */
export function procCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / 100 : null; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// The emulator

export interface EmulatorChild {
  url: string;
  port: number;
  pid: number | undefined;
  stats(): Promise<EmulatorStats>;
  resetStats(): Promise<void>;
  /** Changes the emulator's knobs while it runs (latencyMs, rateLimit, ...). */
  knobs(patch: Record<string, unknown>): Promise<void>;
  /** CPU seconds the emulator has used so far (null if unknown). */
  cpuSeconds(): number | null;
  close(): Promise<void>;
}

export interface EmulatorStats {
  requests: number;
  rateLimited: number;
  serverErrors: number;
  perStatus: Record<string, number>;
  maxInFlight: number;
}

/** Starts `node dist/test/emulator/cli.js --port 0 ...args` and waits for the line with its URL. */
export async function startEmulator(args: string[], timeoutMs = 180_000): Promise<EmulatorChild> {
  const child = track(spawn(process.execPath, [EMULATOR_CLI, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] }));
  const stderr = new Tail();
  child.stderr!.setEncoding("utf8").on("data", (t: string) => stderr.push(t));
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => fail(new Error(`emulator did not start within ${timeoutMs / 1000} s`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${error.message}${stderr.text() ? `\n${stderr.text()}` : ""}`));
    };
    const onData = (text: string) => {
      buffer += text;
      const newline = buffer.indexOf("\n");
      if (newline < 0) return;
      const first = buffer.slice(0, newline);
      const match = /https?:\/\/[^\s)]+/.exec(first);
      child.stdout!.off("data", onData);
      child.stdout!.resume(); // ignore anything else it prints
      clearTimeout(timer);
      if (match) resolve(match[0]);
      else fail(new Error(`unexpected first line from the emulator: ${first}`));
    };
    child.stdout!.setEncoding("utf8").on("data", onData);
    child.once("exit", (code, signal) => fail(new Error(`emulator exited (${signal ?? code}) before printing its URL`)));
    child.once("error", fail);
  });
  const admin = async (path: string, method = "GET", body?: unknown): Promise<unknown> => {
    const res = await fetch(`${url}/_emulator/${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    if (!res.ok) throw new Error(`emulator admin ${method} ${path}: HTTP ${res.status}`);
    return res.json();
  };
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid,
    stats: async () => (await admin("stats")) as EmulatorStats,
    resetStats: async () => {
      await admin("stats/reset", "POST");
    },
    knobs: async (patch) => {
      await admin("knobs", "POST", patch);
    },
    cpuSeconds: () => procCpuSeconds(child.pid),
    close: () => stop(child, 5000),
  };
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
function stop(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

// ---------------------------------------------------------------------------------------------
// Measured runs

export interface MeasuredRun {
  /** Lines that matched the record prefix. */
  records: number;
  wallS: number;
  exitCode: number | null;
  signal: string | null;
  /** True when the bench stopped it (time slice or record slice). */
  stopped: boolean;
  probe: ProbeReport | null;
  /** Non-record lines that look like errors (TRACE errors, ERROR/FATAL logs), last few. */
  errors: string[];
  /** Streams the connector reported INCOMPLETE. */
  incomplete: string[];
  stderr: string;
}

export interface RunOptions {
  script: string;
  args: string[];
  /** Options for node itself, before the script (the connector's: connectorNodeArgs()). */
  nodeArgs?: string[];
  env: Record<string, string>;
  /** A line starting with this is one record. */
  recordPrefix: string;
  /** SIGTERM the child after this many ms (then SIGKILL after a grace period). */
  stopAfterMs?: number;
  probeFile: string;
}

/** Runs `node --import probe.js script ...args`, counting record lines on its stdout as they stream. */
export function measure(opts: RunOptions): Promise<MeasuredRun> {
  rmSync(opts.probeFile, { force: true });
  const errors: string[] = [];
  const incomplete: string[] = [];
  const counter = new LineCounter(opts.recordPrefix, (line) => {
    if (!line.includes('"ERROR"') && !line.includes('"FATAL"') && !line.includes('"error"') && !line.includes("INCOMPLETE")) return;
    try {
      const message = JSON.parse(line) as { type?: string; trace?: any; log?: any };
      if (message.type === "TRACE" && message.trace?.type === "STREAM_STATUS") {
        if (message.trace.stream_status?.status === "INCOMPLETE") incomplete.push(String(message.trace.stream_status.stream_descriptor?.name));
        return;
      }
      if (message.type === "TRACE" && message.trace?.type === "ERROR") errors.push(String(message.trace.error?.message ?? line));
      else if (message.type === "LOG" && /ERROR|FATAL/.test(String(message.log?.level))) errors.push(String(message.log?.message ?? line));
    } catch {
      errors.push(line.slice(0, 300));
    }
    if (errors.length > 10) errors.splice(0, errors.length - 10);
  });
  const stderr = new Tail();
  const started = performance.now();
  const child = track(
    spawn(process.execPath, [...(opts.nodeArgs ?? []), "--import", PROBE_URL, opts.script, ...opts.args], {
      env: { ...process.env, ...opts.env, BENCH_PROBE_FILE: opts.probeFile },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  child.stdout!.on("data", (chunk: Buffer) => counter.push(chunk));
  child.stderr!.setEncoding("utf8").on("data", (t: string) => stderr.push(t));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  if (opts.stopAfterMs !== undefined) {
    timer = setTimeout(() => {
      stopped = true;
      void stop(child, 10_000);
    }, opts.stopAfterMs);
  }
  return new Promise((resolve, reject) => {
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close' comes after stdout has ended, so every line is counted.
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const wallS = (performance.now() - started) / 1000;
      counter.end();
      let probe: ProbeReport | null = null;
      if (existsSync(opts.probeFile)) {
        try {
          probe = JSON.parse(readFileSync(opts.probeFile, "utf8")) as ProbeReport;
        } catch {
          probe = null;
        }
      }
      resolve({ records: counter.matched, wallS, exitCode: code, signal, stopped, probe, errors, incomplete, stderr: stderr.text() });
    });
  });
}

/** Runs a short command of the connector (spec, discover) and returns its stdout lines parsed. */
export function connectorMessages(args: string[], env: Record<string, string>): Promise<Array<Record<string, any>>> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, [CONNECTOR, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] }));
    let out = "";
    const stderr = new Tail();
    child.stdout!.setEncoding("utf8").on("data", (t: string) => (out += t));
    child.stderr!.setEncoding("utf8").on("data", (t: string) => stderr.push(t));
    child.once("error", reject);
    child.once("close", (code) => {
      const messages: Array<Record<string, any>> = [];
      for (const line of out.split("\n")) {
        if (!line.trim()) continue;
        try {
          messages.push(JSON.parse(line) as Record<string, any>);
        } catch {
          // not a message
        }
      }
      if (code !== 0) reject(new Error(`connector ${args[0]} exited ${code}: ${stderr.text() || out.slice(0, 500)}`));
      else resolve(messages);
    });
  });
}
