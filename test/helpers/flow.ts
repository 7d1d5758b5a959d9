import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { Ajv } from "ajv";
import { documentSchema } from "../../src/flow/schema.js";
import { applyMergePatch } from "../../src/state/merge-patch.js";
import { STREAM_BY_NAME } from "../../src/streams/table.js";
import type { Emulator } from "../emulator/server.js";
import { CLI } from "./cli.js";

const responseSchema = JSON.parse(readFileSync(resolve(import.meta.dirname, "../protocol/flow-capture-response.json"), "utf8"));
const validateResponse: ValidateFunction = new Ajv({ strict: false }).compile(responseSchema);

/** Throws, naming the line, if a stdout line is not a capture Response the runtime would accept. */
export function assertFlowResponse(line: unknown, i = 0): void {
  if (!validateResponse(line)) {
    throw new Error(`stdout line ${i} is not a capture Response: ${JSON.stringify(validateResponse.errors)}\n${JSON.stringify(line).slice(0, 400)}`);
  }
}

/** Flow's reduction keywords are annotations to a validator; it only needs to know them. */
const docAjv = new Ajv2020({ strict: false, allErrors: false });
docAjv.addKeyword("reduce");
docAjv.addKeyword("x-infer-schema");
const docValidators = new Map<string, ValidateFunction>();

/**
 * Validates a captured document as the runtime does: with `/_meta/uuid` set to
 * its placeholder first (estuary/flow crates/runtime/src/capture/protocol.rs,
 * recv_connector_captured), against the binding's document schema.
 */
export function assertDocument(stream: string, doc: Record<string, unknown>): void {
  let validate = docValidators.get(stream);
  if (!validate) {
    validate = docAjv.compile(documentSchema(STREAM_BY_NAME.get(stream)!));
    docValidators.set(stream, validate);
  }
  const withUuid = { ...doc, _meta: { ...(doc._meta as object), uuid: "DocUUIDPlaceholder-329Bb50aa48EAa9ef" } };
  if (!validate(withUuid)) throw new Error(`${stream} document ${String(doc.id)} fails its schema: ${docAjv.errorsText(validate.errors)}`);
}

/**
 * A collection as Flow reduces it: documents with the same key, in capture
 * order, last write wins (no top-level reduce), and a `_meta.op` of `d` deletes.
 */
export function reduceCollection(docs: Array<Record<string, any>>): Map<string, Record<string, any>> {
  const collection = new Map<string, Record<string, any>>();
  for (const doc of docs) {
    if (doc._meta?.op === "d") collection.delete(doc.id);
    else collection.set(doc.id, doc);
  }
  return collection;
}

/** A Flow connector process driven as the runtime drives it: requests on stdin, responses parsed as they arrive. */
export class FlowSession {
  readonly lines: Array<Record<string, any>> = [];
  stderr = "";
  private readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  constructor(emulator: Emulator | undefined, requests: unknown[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [CLI], { env: { ...process.env, ...env, ...(emulator ? { STRIPE_API_BASE: emulator.url } : {}) } });
    let buffer = "";
    this.child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf("\n")) >= 0) {
        const line = JSON.parse(buffer.slice(0, i)) as Record<string, any>;
        assertFlowResponse(line, this.lines.length);
        this.lines.push(line);
        buffer = buffer.slice(i + 1);
      }
    });
    this.child.stderr.setEncoding("utf8").on("data", (c: string) => (this.stderr += c));
    this.exited = new Promise((resolvePromise) => this.child.on("close", (code) => resolvePromise(code)));
    for (const request of requests) this.child.stdin.write(JSON.stringify(request) + "\n");
  }

  /** No more requests: the runtime's EOF. */
  endInput(): void {
    this.child.stdin.end();
  }

  async until(what: string, test: () => boolean, ms = 60_000): Promise<void> {
    const end = Date.now() + ms;
    while (!test()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stderr: ${this.stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Documents committed so far (those followed by a checkpoint), each checked against its binding's schema. */
  committed(binding: number, stream?: string): Array<Record<string, any>> {
    const lastCheckpoint = this.lines.map((l) => "checkpoint" in l).lastIndexOf(true);
    const docs = this.lines.slice(0, lastCheckpoint + 1).filter((l) => l.captured?.binding === binding).map((l) => l.captured.doc);
    if (stream) for (const doc of docs) assertDocument(stream, doc);
    return docs;
  }

  /** The connector state after applying every checkpoint's merge patch, as the runtime reduces it. */
  state(initial: unknown = {}): unknown {
    return this.lines.filter((l) => l.checkpoint).reduce((s, l) => applyMergePatch(s, l.checkpoint.state.updated), initial);
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }
}
