/**
 * Preloaded into a child process (`node --import <abs path>/dist/bench/probe.js ...`):
 * when the process exits, writes its CPU time and peak resident set size as JSON
 * to the file named by BENCH_PROBE_FILE. Does nothing without that variable.
 *
 * 'exit' handlers run on a normal end and on process.exit(), not on an unhandled
 * signal, so a child the bench stops must turn SIGTERM into process.exit()
 * (the connector does; sdk-loop.ts does too).
 */
import { writeFileSync } from "node:fs";

export interface ProbeReport {
  cpuUserMs: number;
  cpuSystemMs: number;
  maxRssMb: number;
}

const target = process.env.BENCH_PROBE_FILE;
if (target) {
  // Grandchildren inherit the environment but not --import; drop it anyway so that
  // a node child started with its own --import could not overwrite this report.
  delete process.env.BENCH_PROBE_FILE;
  process.once("exit", () => {
    const cpu = process.cpuUsage();
    const usage = process.resourceUsage();
    const report: ProbeReport = {
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      // resourceUsage().maxRSS is in kilobytes.
      maxRssMb: usage.maxRSS / 1024,
    };
    try {
      writeFileSync(target, JSON.stringify(report));
    } catch {
      // Nothing useful to do while exiting; the bench reports the figure as missing.
    }
  });
}
