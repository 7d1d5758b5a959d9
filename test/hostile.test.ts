import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, trackSecret, type CliResult } from "./helpers/cli.js";
import { assertProtocol } from "./helpers/protocol.js";

/**
 * The hostile-input corpus (test/hostile/): every case is a malformed config,
 * catalog, state or argv, kept as the raw file a user could produce, and run
 * end to end through the built CLI. Each must fail the same way: exit 1, one
 * line on stderr, one TRACE config_error naming the culprit, no RECORD, no
 * stack trace, and the API key never printed (not even in part).
 *
 * Except a bad config given to `check` (the cases named "config: ..." that run
 * check): check answers it as Airbyte's CDK does, with exactly one
 * CONNECTION_STATUS FAILED naming the culprit, no TRACE, nothing on stderr and
 * exit 0 (airbyte-python-cdk airbyte_cdk/entrypoint.py `check`; Airbyte's
 * acceptance test "connection, status: failed" counts the FAILED statuses).
 */

const HOSTILE = resolve(import.meta.dirname, "hostile");
const KEY = "sk_test_hostile_SECRET_9f8e7d6c5b4a";
// Stripe's own mask shows the prefix and the last four; any six characters of the rest is a leak.
const KEY_BODY = KEY.slice("sk_test_".length + "hostile_".length);
trackSecret(KEY);

// A closed port: nothing can leave the machine even if a case gets past the parsers.
const ENV = { STRIPE_API_BASE: "http://127.0.0.1:9" };
// A case that wrongly reaches the network retries for minutes; cut it short.
const TIMEOUT_MS = 15_000;

type FileRole = "config" | "catalog" | "state";

interface HostileCase {
  name: string;
  args: string[];
  files: Partial<Record<FileRole, string>>;
  /** A regex (source) both the TRACE message and the stderr line must match. */
  expect: string;
  /** Made at test time: "dangling-symlink" replaces the config with a link to nowhere. */
  setup?: "dangling-symlink";
  /** Valid input with a harmless wrinkle (a BOM): success is fine, a failure must still follow the rules. */
  mayAccept?: boolean;
}

const CASES: HostileCase[] = JSON.parse(readFileSync(join(HOSTILE, "cases.json"), "utf8"));

function prepare(c: HostileCase): string[] {
  const paths: Record<string, string> = {};
  for (const [role, rel] of Object.entries(c.files)) paths[role] = join(HOSTILE, rel);
  if (c.setup === "dangling-symlink") {
    // chmod 000 does not stop root (the tests run as root), so "unreadable" is a link whose target is gone.
    const dir = mkdtempSync(join(tmpdir(), "source-stripe-hostile-"));
    paths.config = join(dir, "dangling-config.json");
    symlinkSync(join(dir, "target-that-was-deleted.json"), paths.config);
  }
  return c.args.map((arg) => arg.replace(/\{(config|catalog|state)\}/g, (_, role: string) => paths[role] ?? `{${role}}`));
}

const STACK_LINE = /^\s+at .*\(/m;

/** Every string inside the messages, so that a stack trace hidden in a JSON field is found too. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value !== null && typeof value === "object") for (const v of Object.values(value)) strings(v, out);
  return out;
}

function keyFragments(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i + 6 <= KEY_BODY.length; i++) {
    const window = KEY_BODY.slice(i, i + 6);
    if (text.includes(window)) found.push(window);
  }
  return found;
}

function errorTraces(result: CliResult): Array<Record<string, any>> {
  return result.messages.filter((m) => m.type === "TRACE" && m.trace?.type === "ERROR");
}

/** A bad config handed to `check`: answered with a FAILED status, not a TRACE. */
function answersWithStatus(c: HostileCase): boolean {
  return c.args[0] === "check" && c.name.startsWith("config:");
}

/** Every way the run breaks the rule for malformed input; empty when it obeys it. */
function violations(c: HostileCase, result: CliResult): string[] {
  return answersWithStatus(c) ? statusViolations(c, result) : traceViolations(c, result);
}

/** What every run must avoid, whatever it answers: stack traces, invalid messages, records, the key. */
function commonViolations(result: CliResult): string[] {
  const problems: string[] = [];
  for (const [where, text] of [["stdout", result.stdout], ["stderr", result.stderr]] as const) {
    if (STACK_LINE.test(text) || text.includes("at file://")) problems.push(`a stack trace on ${where}`);
  }
  if (strings(result.messages).some((s) => STACK_LINE.test(s) || s.includes("at file://"))) {
    problems.push("a stack trace inside a message on stdout");
  }
  try {
    assertProtocol(result.messages);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const records = result.messages.filter((m) => m.type === "RECORD").length;
  if (records > 0) problems.push(`${records} RECORD message(s)`);
  const fragments = keyFragments(result.stdout + result.stderr);
  if (fragments.length) problems.push(`part of the API key is printed: ${fragments.join(", ")}`);
  return problems;
}

function statusViolations(c: HostileCase, result: CliResult): string[] {
  const problems = commonViolations(result);
  const pattern = new RegExp(c.expect);
  if (result.signal) problems.push(`killed by ${result.signal} after ${TIMEOUT_MS} ms (the input got past the parsers)`);
  else if (result.code !== 0) problems.push(`exit code ${result.code}, expected 0`);
  if (result.stderr !== "") problems.push("stderr is not empty");
  const statuses = result.messages.filter((m) => m.type === "CONNECTION_STATUS");
  if (statuses.length !== 1 || result.messages.length !== 1) problems.push(`${result.messages.length} messages with ${statuses.length} CONNECTION_STATUS, expected that one alone`);
  for (const { connectionStatus } of statuses) {
    if (connectionStatus.status !== "FAILED") problems.push(`status ${String(connectionStatus.status)}, expected FAILED`);
    if (typeof connectionStatus.message !== "string" || !pattern.test(connectionStatus.message)) problems.push(`status message does not match /${c.expect}/`);
  }
  return problems;
}

function traceViolations(c: HostileCase, result: CliResult): string[] {
  const problems = commonViolations(result);
  const pattern = new RegExp(c.expect);
  if (result.signal) problems.push(`killed by ${result.signal} after ${TIMEOUT_MS} ms (the input got past the parsers)`);
  else if (result.code !== 1) problems.push(`exit code ${result.code}, expected 1`);

  const stderrLines = result.stderr.replace(/\n$/, "").split("\n");
  if (result.stderr.trim() === "") problems.push("stderr is empty");
  else if (stderrLines.length !== 1) problems.push(`stderr has ${stderrLines.length} lines, expected 1`);
  if (!result.stderr.endsWith("\n") && result.stderr !== "") problems.push("stderr does not end with a newline");
  if (!pattern.test(result.stderr)) problems.push(`stderr does not match /${c.expect}/`);
  const traces = errorTraces(result);
  if (traces.length !== 1) problems.push(`${traces.length} TRACE error messages, expected 1`);
  for (const trace of traces) {
    const error = trace.trace.error as Record<string, unknown>;
    if (error.failure_type !== "config_error") problems.push(`TRACE failure_type is ${String(error.failure_type)}, expected config_error`);
    if (typeof error.message !== "string" || !pattern.test(error.message)) problems.push(`TRACE message does not match /${c.expect}/`);
    if (error.stack_trace !== undefined) problems.push("the TRACE carries a stack_trace");
  }
  return problems;
}

function describeRun(result: CliResult): string {
  const trace = errorTraces(result)[0]?.trace.error;
  return [
    `exit ${result.code}${result.signal ? ` (${result.signal})` : ""}`,
    `stderr: ${JSON.stringify(result.stderr)}`,
    `TRACE: ${trace ? `${trace.failure_type}: ${JSON.stringify(trace.message)}` : "(none)"}`,
    `CONNECTION_STATUS: ${JSON.stringify(result.messages.find((m) => m.type === "CONNECTION_STATUS")?.connectionStatus ?? "(none)")}`,
    `stdout types: ${result.messages.map((m) => m.type).join(", ") || "(none)"}`,
  ].join("\n");
}

describe("hostile inputs", () => {
  it("the corpus has at least 45 cases, uniquely named, and every file it names is kept", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(45);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    const used = new Set<string>();
    for (const c of CASES) {
      expect(c.expect, c.name).toBeTypeOf("string");
      expect(() => new RegExp(c.expect), c.name).not.toThrow();
      for (const rel of Object.values(c.files)) {
        expect(existsSync(join(HOSTILE, rel!)), `${c.name}: ${rel}`).toBe(true);
        used.add(rel!);
      }
    }
    for (const dir of ["config", "catalog", "state"]) {
      for (const file of readdirSync(join(HOSTILE, dir))) expect(used.has(`${dir}/${file}`), `unused ${dir}/${file}`).toBe(true);
    }
  });

  for (const c of CASES) {
    it.concurrent(c.name, async () => {
      const args = prepare(c);
      const result = await runCli(args, { env: ENV, timeoutMs: TIMEOUT_MS });
      if (c.mayAccept && result.code === 0) {
        // Accepted: a normal, successful run.
        assertProtocol(result.messages);
        expect(result.stderr).toBe("");
        expect(errorTraces(result)).toEqual([]);
        expect(keyFragments(result.stdout)).toEqual([]);
        return;
      }
      expect(violations(c, result), `${c.name}\n${describeRun(result)}`).toEqual([]);
    });
  }
});

describe("not config errors", () => {
  it.concurrent("spec works with unrelated junk in the environment", async () => {
    const result = await runCli(["spec"], {
      env: { ...ENV, SOURCE_STRIPE_JUNK: '{"not json', AIRBYTE_JUNK: "\u00ff\u00fe garbage \t", LC_ALL: "xx_XX.BROKEN" },
      timeoutMs: TIMEOUT_MS,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    assertProtocol(result.messages);
    expect(result.messages.map((m) => m.type)).toEqual(["SPEC"]);
  });

  it.concurrent("--help prints the usage on stderr and nothing on stdout", async () => {
    const result = await runCli(["--help"], { env: ENV, timeoutMs: TIMEOUT_MS });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^Usage: source-stripe <command>/);
    for (const command of ["spec", "check", "discover", "read"]) expect(result.stderr).toContain(command);
  });
});
