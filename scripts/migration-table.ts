/**
 * The README's tables for people switching from Airbyte's source-stripe: the
 * top-level fields its schemas have that the current API no longer returns,
 * and where they went; and the fields whose JSON type changed. Generated from
 * data/airbyte-fields.json (extract-airbyte-fields.ts), data/airbyte-moves.json
 * (written by hand: where each field went) and our schemas.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { streamSchema } from "../src/streams/schemas.js";
import { PACKAGE_ROOT } from "../src/package-root.js";
import { STREAM_BY_NAME } from "../src/streams/table.js";
import type { AirbyteFields } from "./extract-airbyte-fields.js";

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema };

/** Where a field went: a field of this stream (`to`), of another stream, or nowhere (`gone`). */
interface Move {
  to?: string;
  stream?: string;
  note?: string;
  since?: string;
  gone?: string;
}

function readData<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "scripts", "data", name), "utf8")) as T;
}

function ours(stream: string): Schema | undefined {
  const def = STREAM_BY_NAME.get(stream);
  return def ? (streamSchema(def) as Schema) : undefined;
}

/** Non-null JSON types of a schema, as extract-airbyte-fields.ts writes Airbyte's. */
function typeOf(s: Schema): string {
  const t = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  return t.filter((x) => x !== "null").sort().join("|");
}

/** The sub-schema at a dotted path (`items.data[].plan`), if our schema describes it. */
function at(schema: Schema | undefined, dotted: string): Schema | undefined {
  let s = schema;
  for (const part of dotted.split(".")) {
    s = s?.properties?.[part.replace(/\[\]$/, "")];
    if (part.endsWith("[]")) s = s?.items;
  }
  return s;
}

interface Comparison {
  removed: Array<{ stream: string; field: string; type: string; move: Move | undefined }>;
  retyped: Array<{ stream: string; field: string; airbyte: string; ours: string }>;
  onlyAirbyte: string[];
}

function compare(): Comparison {
  const airbyte = readData<AirbyteFields>("airbyte-fields.json");
  const moves = readData<Record<string, Record<string, Move>>>("airbyte-moves.json");
  const result: Comparison = { removed: [], retyped: [], onlyAirbyte: [] };
  for (const [stream, fields] of Object.entries(airbyte.streams)) {
    const schema = ours(stream);
    if (!schema) {
      result.onlyAirbyte.push(stream);
      continue;
    }
    for (const [field, type] of Object.entries(fields)) {
      const mine = schema.properties?.[field];
      if (!mine) result.removed.push({ stream, field, type, move: moves[stream]?.[field] });
      else if (typeOf(mine) !== type) result.retyped.push({ stream, field, airbyte: type, ours: typeOf(mine) });
    }
  }
  return result;
}

/** What keeps the tables from being right: Airbyte fields without a move, stale moves, targets we do not describe. */
export function migrationProblems(): string[] {
  const { removed } = compare();
  const moves = readData<Record<string, Record<string, Move>>>("airbyte-moves.json");
  const problems = removed.filter((r) => !r.move).map((r) => `${r.stream}.${r.field}: no entry in airbyte-moves.json`);
  const listed = new Set(removed.map((r) => `${r.stream}.${r.field}`));
  for (const [stream, fields] of Object.entries(moves)) {
    for (const [field, move] of Object.entries(fields)) {
      if (!listed.has(`${stream}.${field}`)) problems.push(`${stream}.${field}: moved, but Airbyte lacks it or we still declare it`);
      if (!move.gone && !(move.stream ?? move.to)) problems.push(`${stream}.${field}: says neither where it went nor that it is gone`);
      if (move.to && !at(ours(move.stream ?? stream), move.to)) problems.push(`${stream}.${field}: ${move.stream ?? stream}.${move.to} is not in our schema`);
    }
  }
  return problems;
}

function where(stream: string, move: Move | undefined): string {
  if (!move) return "?";
  if (move.gone) return `gone: ${move.gone}`;
  const target = move.stream && move.stream !== stream ? `${move.stream} stream${move.to ? ` \`${move.to}\`` : ""}` : `\`${move.to}\``;
  const extra = [move.note, move.since ? `since ${move.since}` : undefined].filter(Boolean).join("; ");
  return extra ? `${target} (${extra})` : target;
}

/** A type list for a Markdown cell (a bare `|` would end the cell). */
function cell(types: string): string {
  return types ? types.split("|").join(" or ") : "any";
}

export function migrationTables(): string {
  const { removed, retyped, onlyAirbyte } = compare();
  const lines = [
    "Top-level fields of Airbyte's schemas that the current API no longer returns, and where they are now:",
    "",
    "| stream | Airbyte's field | its type | now |",
    "| --- | --- | --- | --- |",
    ...removed.map((r) => `| ${r.stream} | \`${r.field}\` | ${cell(r.type)} | ${where(r.stream, r.move)} |`),
    "",
    "Fields whose type changed:",
    "",
    "| stream | field | Airbyte's type | type now |",
    "| --- | --- | --- | --- |",
    ...retyped.map((r) => `| ${r.stream} | \`${r.field}\` | ${cell(r.airbyte)} | ${cell(r.ours)} |`),
  ];
  if (onlyAirbyte.length > 0) lines.push("", `Streams of Airbyte's without a counterpart here: ${onlyAirbyte.join(", ")}.`);
  return lines.join("\n");
}
