/**
 * Counts newline-separated messages in a byte stream without decoding or parsing the
 * bulk of it: a line whose first bytes are `prefix` is counted and dropped; any
 * other line is handed over whole (they are few: logs, state, traces).
 */
export class LineCounter {
  matched = 0;
  lines = 0;
  private readonly prefix: Buffer;
  /** Bytes of the current line kept so far (while undecided, or when it is not a match). */
  private parts: Buffer[] = [];
  private kept = 0;
  /** null: not enough bytes yet to tell; true: a matching line; false: another line. */
  private decided: boolean | null = null;

  constructor(
    prefix: string,
    private readonly onOther: (line: string) => void = () => {},
    /** Longest non-matching line kept whole; longer ones are cut. */
    private readonly maxOtherBytes = 1 << 20,
  ) {
    this.prefix = Buffer.from(prefix, "utf8");
  }

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos <= chunk.length) {
      const newline = chunk.indexOf(10, pos);
      const end = newline < 0 ? chunk.length : newline;
      if (end > pos) this.take(chunk.subarray(pos, end));
      if (newline < 0) break;
      this.endLine();
      pos = newline + 1;
    }
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (this.kept > 0 || this.decided !== null) this.endLine();
  }

  private take(segment: Buffer): void {
    if (this.decided === true) return;
    if (this.decided === false) {
      if (this.kept < this.maxOtherBytes) {
        this.parts.push(segment);
        this.kept += segment.length;
      }
      return;
    }
    this.parts.push(segment);
    this.kept += segment.length;
    if (this.kept >= this.prefix.length) {
      const head = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
      this.decided = head.subarray(0, this.prefix.length).equals(this.prefix);
      if (this.decided) {
        this.parts = [];
        this.kept = 0;
      } else {
        this.parts = [head];
      }
    }
  }

  private endLine(): void {
    this.lines++;
    if (this.decided === true) this.matched++;
    else if (this.kept > 0) this.onOther(Buffer.concat(this.parts).toString("utf8"));
    this.parts = [];
    this.kept = 0;
    this.decided = null;
  }
}
