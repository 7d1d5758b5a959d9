import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EMULATOR_KEY, startEmulator, type Emulator } from "./emulator/server.js";
import { configuredCatalog, runCli, trackSecret } from "./helpers/cli.js";
import { findDocker, type Docker } from "./helpers/docker.js";
import { assertProtocol } from "./helpers/protocol.js";

const ROOT = resolve(import.meta.dirname, "..");
const IMAGE = "source-stripe:test";
const docker = findDocker("node:24-bookworm-slim");
const STREAMS = ["customers", "invoices", "invoice_line_items", "bank_accounts", "balance_transactions"];

/** Drops what legitimately differs between two runs: emission times and read-time cursors. */
function comparable(stdout: string): unknown[] {
  return stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((m) => m.type === "RECORD" || m.type === "SPEC" || m.type === "CONNECTION_STATUS")
    .map((m) => (m.type === "RECORD" ? { stream: m.record.stream, id: m.record.data.id } : m))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

describe.skipIf(!docker)("the container image", () => {
  const d = docker as Docker;
  let emulator: Emulator;
  let dir: string;

  // Asynchronous: the emulator answers from this same process while the container runs.
  const run = (args: string[], stdin = ""): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(
        d.bin,
        ["run", "--rm", "-i", "--network", "host", "-e", `STRIPE_API_BASE=${emulator.url}`, "-v", `${dir}:/data:ro`, IMAGE, ...args],
        { env: d.env, stdio: ["pipe", "pipe", "pipe"] },
      );
      child.stdin.end(stdin);
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
      child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
      const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
      child.on("error", reject);
      child.on("close", (status) => {
        clearTimeout(timer);
        expect(stdout + stderr).not.toContain(EMULATOR_KEY);
        resolve({ status, stdout, stderr });
      });
    });

  beforeAll(async () => {
    execFileSync(d.bin, ["build", "--network", "host", "-t", IMAGE, "."], { cwd: ROOT, env: d.env, stdio: "inherit", timeout: 600_000 });
    emulator = await startEmulator({ seed: 1, scale: 1 });
    dir = mkdtempSync(join(tmpdir(), "source-stripe-container-"));
    chmodSync(dir, 0o755);
    trackSecret(EMULATOR_KEY);
    writeFileSync(join(dir, "config.json"), JSON.stringify({ account_id: "acct_emulator_platform", client_secret: EMULATOR_KEY }));
    writeFileSync(join(dir, "catalog.json"), JSON.stringify(configuredCatalog(STREAMS.map((name) => ({ name })))));
    for (const f of ["config.json", "catalog.json"]) chmodSync(join(dir, f), 0o644);
  }, 900_000);

  afterAll(async () => {
    await emulator?.close();
  });

  it("carries the Airbyte labels and runs as a non-root user", () => {
    const inspect = JSON.parse(execFileSync(d.bin, ["image", "inspect", IMAGE], { env: d.env, encoding: "utf8" }))[0];
    // Airbyte's acceptance test test_image_labels: the labels are metadata.yaml's repository and tag.
    const metadata = parse(readFileSync(join(ROOT, "metadata.yaml"), "utf8")) as { data: { dockerRepository: string; dockerImageTag: string } };
    expect(inspect.Config.Labels["io.airbyte.name"]).toBe(metadata.data.dockerRepository);
    expect(inspect.Config.Labels["io.airbyte.version"]).toBe(metadata.data.dockerImageTag);
    expect(inspect.Config.Env).toContain("AIRBYTE_ENTRYPOINT=node --max-semi-space-size=2 /app/dist/src/main.js");
    expect(inspect.Config.User).toBe("node");
    expect(inspect.Config.Labels.FLOW_RUNTIME_PROTOCOL).toBe("capture");
    expect(inspect.Config.Labels.FLOW_RUNTIME_CODEC).toBe("json");
    expect(inspect.Architecture).toBe("amd64");
  });

  it("answers Flow's no-argument spec request", async () => {
    const result = await run([], '{"spec":{}}\n');
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0].spec.protocol).toBe(3032023);
    expect(lines[0].spec.resourcePathPointers).toEqual(["/name"]);
  });

  it("answers spec, check and read exactly as the CLI outside the container does", async () => {
    const env = { STRIPE_API_BASE: emulator.url };
    const config = join(dir, "config.json");
    const catalog = join(dir, "catalog.json");
    for (const [inside, outside] of [
      [["spec"], ["spec"]],
      [["check", "--config", "/data/config.json"], ["check", "--config", config]],
      [["read", "--config", "/data/config.json", "--catalog", "/data/catalog.json"], ["read", "--config", config, "--catalog", catalog]],
    ] as const) {
      const container = await run([...inside]);
      const local = await runCli([...outside], { env });
      expect(container.status, container.stderr).toBe(0);
      expect(local.code).toBe(0);
      const lines = container.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l));
      assertProtocol(lines);
      expect(comparable(container.stdout)).toEqual(comparable(local.stdout));
    }
  });
});
