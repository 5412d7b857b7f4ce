/**
 * The last `limit` characters of a text stream (the result row's stdout tail). Small pushes are
 * coalesced into pieces of ~64 K characters so that a stream of one-byte reads does not become
 * millions of tiny strings; whole pieces are dropped from the front once the limit is passed.
 */
const PIECE_CHARS = 64 * 1024;
const MAX_ROPE_PARTS = 256;

export class TailBuffer {
  private pieces: string[] = [];
  private piecesLength = 0;
  private current = '';
  private currentParts = 0;
  private droppedChars = 0;

  constructor(readonly limit: number) {}

  push(text: string): void {
    if (!text) return;
    this.current += text;
    this.currentParts++;
    if (this.current.length >= PIECE_CHARS) {
      // A piece made of a few pty reads stays a cheap rope; thousands of tiny reads are copied flat.
      this.pieces.push(this.currentParts > MAX_ROPE_PARTS ? flatten(this.current) : this.current);
      this.piecesLength += this.current.length;
      this.current = '';
      this.currentParts = 0;
      this.trim();
    }
  }

  /** True once anything was dropped. */
  get truncated(): boolean {
    return this.droppedChars > 0 || this.piecesLength + this.current.length > this.limit;
  }

  text(): string {
    const all = this.pieces.join('') + this.current;
    return all.length > this.limit ? all.slice(all.length - this.limit) : all;
  }

  private trim(): void {
    while (this.pieces.length > 1 && this.piecesLength - (this.pieces[0]?.length ?? 0) + this.current.length >= this.limit) {
      const first = this.pieces.shift() as string;
      this.piecesLength -= first.length;
      this.droppedChars += first.length;
    }
  }
}

/** Copies a concatenated (rope) string into a flat one so it does not pin its parts in memory. */
function flatten(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}
