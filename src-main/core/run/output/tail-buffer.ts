/**
 * The last `limitBytes` bytes (UTF-8) of a text stream: the result row's stdout tail. Kept in a fixed
 * ring of bytes outside the JavaScript heap (allocated on first use), so a flood neither retains nor
 * churns strings; text is encoded straight into the ring and decoded once, by take(), at the end.
 */
export class TailBuffer {
  private ring: Buffer | null = null;
  private start = 0;
  private length = 0;
  private dropped = false;

  constructor(readonly limitBytes: number) {}

  push(text: string): void {
    if (!text || this.limitBytes <= 0) return;
    this.ring ??= Buffer.allocUnsafe(this.limitBytes);
    const size = this.limitBytes;
    let writeAt = (this.start + this.length) % size;
    const room = size - writeAt;
    // Fast path: the encoded text fits before the end of the ring (at most 3 bytes per UTF-16 unit).
    let written: number;
    if (text.length * 3 <= room) {
      written = this.ring.write(text, writeAt, 'utf8');
    } else {
      let bytes = Buffer.from(text, 'utf8');
      written = bytes.length;
      if (bytes.length > size) bytes = bytes.subarray(bytes.length - size);
      const first = Math.min(bytes.length, room);
      bytes.copy(this.ring, writeAt, 0, first);
      if (first < bytes.length) bytes.copy(this.ring, 0, first);
      writeAt = 0;
    }
    const total = this.length + written;
    if (total > size) {
      this.start = (this.start + (total - size)) % size;
      this.length = size;
      this.dropped = true;
    } else {
      this.length = total;
    }
  }

  /** True once anything was dropped. */
  get truncated(): boolean {
    return this.dropped;
  }

  /**
   * The tail as text, once: the ring is rotated in place and released, so the finish (where the result
   * row's copies of this text are made) holds neither a second copy of the bytes nor the ring itself.
   */
  take(): string {
    const ring = this.ring;
    this.ring = null;
    if (!ring || this.length === 0) return '';
    const wraps = this.start + this.length > this.limitBytes;
    if (wraps) rotateLeft(ring, this.start);
    const from = wraps ? 0 : this.start;
    const bytes = ring.subarray(from, from + this.length);
    this.start = 0;
    this.length = 0;
    // The cut may fall inside a code point: skip its continuation bytes.
    let skip = 0;
    while (this.dropped && skip < 3 && skip < bytes.length && ((bytes[skip] as number) & 0xc0) === 0x80) skip++;
    return bytes.toString('utf8', skip);
  }
}

/** Moves `bytes[by..]` to the front and `bytes[..by]` behind it, in place (three reversals, no copy). */
function rotateLeft(bytes: Buffer, by: number): void {
  bytes.subarray(0, by).reverse();
  bytes.subarray(by).reverse();
  bytes.reverse();
}
