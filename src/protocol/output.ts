import { redact } from "../secrets.js";

/**
 * The only writer of stdout: one JSON message per line (Airbyte or Flow), secrets redacted, and
 * the stream's backpressure respected so memory stays flat on large reads.
 */
export class Output {
  private closed = false;

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  /** Resolves at once unless the consumer is behind; await it in hot loops. */
  emit(message: object): Promise<void> | undefined {
    if (this.closed) return undefined;
    const ok = this.out.write(redact(JSON.stringify(message)) + "\n");
    if (ok) return undefined;
    return new Promise((resolve) => this.out.once("drain", () => resolve()));
  }

  /**
   * Prints `last` (if given) and nothing after it: a read stopped by a signal ends
   * on whole lines, and what it printed after its last STATE is read again next time.
   */
  close(last?: object): void {
    if (last) this.emit(last);
    this.closed = true;
  }

  /** Resolves once everything written so far has been flushed. */
  flush(): Promise<void> {
    return new Promise((resolve) => this.out.write("", () => resolve()));
  }
}
