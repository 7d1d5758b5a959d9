import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

const ENGINE = resolve(import.meta.dirname, "../../../shared/tools/container-engine");

export interface Docker {
  bin: string;
  env: NodeJS.ProcessEnv;
}

function works(bin: string, env: NodeJS.ProcessEnv): boolean {
  try {
    execFileSync(bin, ["info"], { env, stdio: "ignore", timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * A Docker engine for the container test: $DOCKER or `docker` when one answers;
 * otherwise the workplace's private engine (../shared/tools/container-engine),
 * started on demand, which makes the Dockerfile's base image resolve locally.
 * Undefined only where neither exists.
 */
export function findDocker(baseImage: string): Docker | undefined {
  const env = { ...process.env };
  if (process.env.DOCKER && works(process.env.DOCKER, env)) return { bin: process.env.DOCKER, env };
  if (works("docker", env)) return { bin: "docker", env };
  if (!existsSync(ENGINE)) return undefined;
  const exports = startEngine(baseImage);
  for (const match of exports.matchAll(/(\w+)=(\S+)/g)) env[match[1]!] = match[2]!;
  const bin = env.DOCKER;
  if (!bin || !works(bin, env)) throw new Error("the container engine started but does not answer");
  return { bin, env };
}

/** `container-engine start`: its SIGPIPE bug is fixed (the brief), so a failure is a real one and fails the test. */
function startEngine(baseImage: string): string {
  return execFileSync(ENGINE, ["start", baseImage], { encoding: "utf8", timeout: 600_000, stdio: ["ignore", "pipe", "inherit"] });
}

