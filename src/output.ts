import { redact } from "./secrets.js";

/** Lines are written in batches of about this many bytes: one system call each, not one per record. */
const BATCH_BYTES = 64 * 1024;

/**
 * The only writer of stdout: one JSON message per line (Airbyte or Flow), secrets
 * redacted, lines batched into few writes, and the stream's backpressure respected
 * so memory stays flat on large reads. A batch never waits long: it is written
 * once it is full or when the event loop turns, whichever comes first.
 */
export class Output {
  private closed = false;
  private batch: string[] = [];
  private batchBytes = 0;
  private scheduled = false;
  private drained?: Promise<void>;

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  /** Resolves at once unless the consumer is behind; await it in hot loops. */
  emit(message: object): Promise<void> | undefined {
    if (this.closed) return undefined;
    const line = JSON.stringify(message);
    this.batch.push(line);
    this.batchBytes += line.length + 1;
    if (this.batchBytes >= BATCH_BYTES) return this.write();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.write());
    }
    return this.drained;
  }

  /**
   * Prints `message` without masking secrets: only for the message whose very
   * purpose is to hand the platform a secret (the config with a rotated OAuth
   * refresh token). What was emitted before is written first, so order holds.
   */
  async emitWithSecrets(message: object): Promise<void> {
    if (this.closed) return;
    await this.write();
    const line = JSON.stringify(message) + "\n";
    await new Promise<void>((resolve) => this.out.write(line, () => resolve()));
  }

  /**
   * Prints `last` (if given) and nothing after it: a read stopped by a signal ends
   * on whole lines, and what it printed after its last STATE is read again next time.
   */
  close(last?: object): void {
    if (last) this.emit(last);
    void this.write();
    this.closed = true;
  }

  /** Resolves once everything emitted so far has been written out. */
  flush(): Promise<void> {
    void this.write();
    return new Promise((resolve) => this.out.write("", () => resolve()));
  }

  private write(): Promise<void> | undefined {
    this.scheduled = false;
    if (this.batch.length === 0) return this.drained;
    const text = redact(this.batch.join("\n")) + "\n";
    this.batch = [];
    this.batchBytes = 0;
    if (!this.out.write(text) && !this.drained) {
      this.drained = new Promise((resolve) =>
        this.out.once("drain", () => {
          this.drained = undefined;
          resolve();
        }),
      );
    }
    return this.drained;
  }
}
