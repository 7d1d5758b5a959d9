import { ConnectorError, StreamError } from "../errors.js";
import type { StreamState } from "../state/types.js";
import type { ReadSink, StreamStatus } from "./sink.js";

/**
 * A stream's STATE is printed at its first checkpoint, then at most this often
 * while it reads unless many records wait for one, and always when it ends: a
 * read killed at any moment loses a fraction of a second of work, and the
 * platform is not flooded.
 */
const STATE_EVERY_MS = 250;
const STATE_EVERY_RECORDS = 2_000;

interface StreamEntry {
  status: StreamStatus;
  /** Tasks still feeding the stream. */
  pending: number;
  /** Latest checkpoint per account. */
  states: Map<string, StreamState>;
  /** A checkpoint taken and not printed yet. */
  dirty: boolean;
  sinceState: number;
  lastStateAt: number;
  records: number;
  stopped: Set<string>;
}

/**
 * Owns what a read says about each stream: its status (STARTED, RUNNING, then
 * COMPLETE or INCOMPLETE), its state per account, its records count and its
 * failures. Checkpoints arrive after every page; STATE is printed as
 * STATE_EVERY_MS says (or on a timer, see `flushDue`), and always when the
 * stream ends.
 */
export class Ledger {
  private readonly entries = new Map<string, StreamEntry>();
  readonly failures: StreamError[] = [];

  constructor(
    private readonly sink: ReadSink,
    streams: readonly string[],
    private readonly multiAccount: boolean,
    /** Why a stream may end with no records (its `whenUnavailable`), said in a LOG line when it does. */
    private readonly emptyNotes: ReadonlyMap<string, string> = new Map(),
  ) {
    for (const name of streams) {
      this.entries.set(name, { status: "STARTED", pending: 0, states: new Map(), dirty: false, sinceState: 0, lastStateAt: 0, records: 0, stopped: new Set() });
    }
  }

  /** What the input state says of `stream` for `account`: kept in every STATE until the read moves it. */
  seed(stream: string, account: string, state: StreamState | undefined): void {
    if (state) this.entry(stream).states.set(account, state);
  }

  /** One more task feeds `stream`. */
  expect(stream: string): void {
    this.entry(stream).pending++;
  }

  async start(): Promise<void> {
    for (const name of this.entries.keys()) await this.sink.status(name, "STARTED");
    // A stream with nothing to do is complete at once (after the RUNNING Airbyte's tests expect).
    for (const [name, e] of this.entries) if (e.pending === 0) await this.end(name, e);
  }

  /** Whether `stream` still takes items from `account` (it has not failed there). */
  open(stream: string, account: string): boolean {
    const e = this.entries.get(stream);
    return e !== undefined && !e.stopped.has(account) && (e.status === "STARTED" || e.status === "RUNNING");
  }

  async record(stream: string, data: Record<string, unknown>, op: "c" | "u" | "d"): Promise<void> {
    const e = this.entry(stream);
    await this.running(stream, e);
    e.records++;
    e.sinceState++;
    await this.sink.record(stream, data, op);
  }

  /**
   * The streams fed by one task moved to these states. They are printed
   * together, so that streams read in one pass stay at one place in it and the
   * next read can share the pass again.
   */
  async checkpoint(account: string, states: ReadonlyArray<{ stream: string; state: StreamState }>): Promise<void> {
    let due = false;
    for (const { stream, state } of states) {
      const e = this.entry(stream);
      await this.running(stream, e);
      e.states.set(account, state);
      e.dirty = true;
      due ||= Date.now() - e.lastStateAt >= STATE_EVERY_MS || e.sinceState >= STATE_EVERY_RECORDS;
    }
    if (due) for (const { stream } of states) await this.printState(stream, this.entry(stream));
  }

  /** Prints the checkpoints that have waited long enough: a slow stream's progress is not held back. */
  async flushDue(): Promise<void> {
    for (const [name, e] of this.entries) if (e.dirty && Date.now() - e.lastStateAt >= STATE_EVERY_MS) await this.printState(name, e);
  }

  /** `stream` cannot go on for `account`; the others go on. */
  async fail(stream: string, account: string, error: unknown): Promise<void> {
    const e = this.entry(stream);
    e.stopped.add(account);
    const streamError = explain(stream, error);
    const message = this.multiAccount ? `${streamError.message} (account ${account})` : streamError.message;
    this.failures.push(new StreamError(stream, message, streamError.failureType, streamError.internalMessage));
    await this.running(stream, e);
    await this.sink.error(stream, message, streamError.failureType, streamError.internalMessage);
  }

  /** A task feeding `stream` is done; the last one ends the stream. */
  async taskDone(stream: string): Promise<void> {
    const e = this.entry(stream);
    if (--e.pending === 0) await this.end(stream, e);
  }

  totalRecords(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.records;
    return n;
  }

  private async end(stream: string, e: StreamEntry): Promise<void> {
    await this.running(stream, e);
    if (e.dirty) await this.printState(stream, e);
    e.status = e.stopped.size ? "INCOMPLETE" : "COMPLETE";
    const note = this.emptyNotes.get(stream);
    if (e.status === "COMPLETE" && e.records === 0 && note) await this.sink.log("INFO", `Stream ${stream} read no records. ${note}`);
    await this.sink.status(stream, e.status);
  }

  private async running(stream: string, e: StreamEntry): Promise<void> {
    if (e.status !== "STARTED") return;
    e.status = "RUNNING";
    await this.sink.status(stream, "RUNNING");
  }

  private async printState(stream: string, e: StreamEntry): Promise<void> {
    const count = e.sinceState;
    e.dirty = false;
    e.sinceState = 0;
    e.lastStateAt = Date.now();
    await this.sink.state(stream, e.states, count);
  }

  private entry(stream: string): StreamEntry {
    const e = this.entries.get(stream);
    if (!e) throw new Error(`ledger: ${stream} is not a stream of this read`);
    return e;
  }
}

/**
 * Names the stream in whatever stopped it. Stripe's failures already carry their
 * meaning (the client's error classes); anything else is a bug in the connector.
 */
export function explain(stream: string, error: unknown): StreamError {
  if (error instanceof StreamError) return error;
  if (error instanceof ConnectorError) return new StreamError(stream, `Stream ${stream}: ${error.message}`, error.failureType, error.internalMessage);
  const err = error instanceof Error ? error : new Error(String(error));
  return new StreamError(stream, `Stream ${stream}: unexpected error: ${err.message}`, "system_error", err.stack);
}
