/**
 * The README's stream and config tables are generated from the stream table and
 * the config schema, and its migration tables from Airbyte's and our schemas
 * (migration-table.ts), so they cannot drift: `npm run generate:readme` rewrites
 * them between their markers, and a test fails when they are stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { connectionSpecification } from "../src/config.js";
import { PACKAGE_ROOT } from "../src/package-root.js";
import { STREAMS } from "../src/streams/table.js";
import type { StreamDef } from "../src/streams/types.js";
import { migrationTables } from "./migration-table.js";

export const README_PATH = join(PACKAGE_ROOT, "README.md");

const HOW: Record<string, string> = {
  created: "`created` windows from the cursor (minus the lookback)",
  events: "list the first time, then `/v1/events`; full re-read past 29 days",
  parent: "list the first time, then the parent's events; full re-read past 29 days",
  report: "report runs over windows from the cursor (minus the lookback) to the report's `data_available_end`",
};

function params(def: StreamDef): string {
  if (def.report) return ` \`report_type=${def.report.type}\``;
  const entries = Object.entries(def.params ?? {});
  const version = def.apiVersion ? ` \`Stripe-Version: ${def.apiVersion}\`` : "";
  if (!entries.length) return version;
  return " " + entries.map(([k, v]) => `\`${k}=${Array.isArray(v) ? v.join(",") : v}\``).join(" ") + version;
}

function parentOf(def: StreamDef): string {
  if (!def.parent) return "";
  const where = Object.entries(def.parent.where ?? {}).map(([path, value]) => `\`${path}\` = ${JSON.stringify(value)}`);
  return `${def.parent.stream}${def.parent.embedded ? ` (\`${def.parent.embedded}\`)` : ""}${where.length ? `, where ${where.join(" and ")}` : ""}`;
}

export function streamsTable(): string {
  const lines = [
    "| stream | endpoint | sync modes | cursor | incremental | state | parent (embedded list) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const def of [...STREAMS].sort((a, b) => a.name.localeCompare(b.name))) {
    const parent = parentOf(def);
    lines.push(
      `| ${def.name} | \`${def.path}\`${params(def)} | ${def.incremental ? "full refresh, incremental" : "full refresh"} | ${
        def.incremental ? `\`${def.cursorField}\`` : ""
      } | ${def.incremental ? HOW[def.incremental] : ""} | ${def.incremental ? `\`{"${def.cursorField}": 1764547200}\`` : ""} | ${parent} |`,
    );
  }
  return lines.join("\n");
}

/** One row per report stream: the report type, the key of its rows, its cursor and what it is for. */
export function reportsTable(): string {
  const lines = ["| stream | report type | run per | primary key | cursor | what it is for |", "| --- | --- | --- | --- | --- | --- |"];
  const per = { interval: "window", ending: "window end", payout: "automatic payout arriving in the window" };
  for (const def of STREAMS) {
    if (!def.report) continue;
    const key = def.primaryKey.map((path) => `\`${path.join(".")}\``).join(", ");
    lines.push(`| ${def.name} | \`${def.report.type}\` | ${per[def.report.scope]} | ${key} | \`${def.cursorField}\` | ${def.report.purpose} |`);
  }
  return lines.join("\n");
}

export function configTable(): string {
  const spec = connectionSpecification() as {
    required: string[];
    properties: Record<string, { type?: string; default?: unknown; title?: string; description?: string }>;
  };
  const lines = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"];
  for (const [key, prop] of Object.entries(spec.properties)) {
    const def = spec.required.includes(key) ? "required" : prop.default === undefined ? "" : `\`${JSON.stringify(prop.default)}\``;
    lines.push(`| \`${key}\` | ${prop.type ?? ""} | ${def} | ${prop.description ?? ""} |`);
  }
  return lines.join("\n");
}

export function renderReadme(current: string): string {
  const tables = { streams: streamsTable(), config: configTable(), migration: migrationTables(), reports: reportsTable() };
  return Object.entries(tables).reduce((text, [name, body]) => replaceBetween(text, name, body), current);
}

function replaceBetween(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md lacks the ${start} ... ${end} markers`);
  return text.slice(0, i + start.length) + "\n" + body + "\n" + text.slice(j);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(README_PATH, renderReadme(readFileSync(README_PATH, "utf8")));
}
