/**
 * Splits decoded text into lines on "\n" only (never on U+2028/U+2029, which JSON strings may hold),
 * carrying a partial line across chunks and dropping the "\r" a pty adds. A line longer than
 * `maxLineChars` is skipped up to its end, so one endless line cannot grow memory without bound.
 */
export class LineSplitter {
  private partial = '';
  private skipping = false;

  /**
   * `requiredChar`, when given, skips lines that do not contain it without copying them out: a
   * consumer of JSON objects passes '{' and a flood of plain text costs no garbage.
   */
  constructor(
    private readonly onLine: (line: string) => void,
    readonly maxLineChars = 8 * 1024 * 1024,
    private readonly requiredChar?: string,
  ) {}

  push(text: string): void {
    let start = 0;
    let nextRequired = this.requiredChar ? text.indexOf(this.requiredChar) : 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
      const lineStart = start;
      start = newline + 1;
      if (this.skipping) {
        this.skipping = false;
        this.partial = '';
        continue;
      }
      if (this.requiredChar && !this.partial) {
        if (nextRequired >= 0 && nextRequired < lineStart) nextRequired = text.indexOf(this.requiredChar, lineStart);
        if (nextRequired < 0 || nextRequired > newline) continue;
      }
      const piece = text.slice(lineStart, newline);
      const line = this.partial ? this.partial + piece : piece;
      this.partial = '';
      if (line.length <= this.maxLineChars) this.onLine(stripCarriageReturns(line));
    }
    if (start < text.length && !this.skipping) {
      this.partial += text.slice(start);
      if (this.partial.length > this.maxLineChars) {
        this.partial = '';
        this.skipping = true;
      }
    }
  }

  /** The last line when the stream ends without a newline. */
  end(): void {
    if (this.partial && !this.skipping) this.onLine(stripCarriageReturns(this.partial));
    this.partial = '';
    this.skipping = false;
  }
}

function stripCarriageReturns(line: string): string {
  let end = line.length;
  while (end > 0 && line.charCodeAt(end - 1) === 13) end--;
  return end === line.length ? line : line.slice(0, end);
}
