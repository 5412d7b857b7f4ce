import { closeSync, ftruncate, mkdirSync, openSync, write } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The raw output log of one run, bounded by `maxBytes`: the first half is kept as it arrives, and a
 * rolling tail (a fixed ring buffer, the second half) keeps the most recent bytes. While the output
 * fits, every byte is written to the file at once so the log can be followed live. When it first
 * overflows, the file is cut back to the head; at close it becomes head + marker + tail:
 *   "\n[beacon: N bytes omitted]\n"
 * Memory stays bounded whatever the output size: the ring (≤ maxBytes/2, allocated only on overflow)
 * plus the writes not yet on disk, which the caller limits by pausing its source when `write` returns
 * false until `onDrain` fires.
 */
export interface BoundedLogResult {
  totalBytes: number;
  omittedBytes: number;
}

type FileOp = { kind: 'write'; data: Uint8Array; position: number } | { kind: 'truncate'; length: number };

/** Queued bytes beyond which the caller is asked to pause. */
const HIGH_WATER_BYTES = 1024 * 1024;

export function omittedMarker(omittedBytes: number): string {
  return `\n[beacon: ${omittedBytes} bytes omitted]\n`;
}

export class BoundedLog {
  private readonly fd: number;
  private readonly headBytes: number;
  private readonly tailBytes: number;
  private totalBytes = 0;
  /** Where the next byte goes in the file while the output still fits. */
  private filePosition = 0;
  private overflowed = false;
  private ring: Buffer | null = null;
  private ringStart = 0;
  private ringLength = 0;
  private readonly queue: FileOp[] = [];
  private queuedBytes = 0;
  private writing = false;
  private failure: Error | null = null;
  private drainListener: (() => void) | null = null;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    readonly path: string,
    readonly maxBytes: number,
  ) {
    if (!Number.isInteger(maxBytes) || maxBytes < 2) throw new Error(`maxBytes must be an integer ≥ 2 (got ${maxBytes})`);
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w', 0o600);
    this.headBytes = Math.floor(maxBytes / 2);
    this.tailBytes = maxBytes - this.headBytes;
  }

  /** Called once the queued writes fall back under the high-water mark after `write` returned false. */
  onDrain(listener: () => void): void {
    this.drainListener = listener;
  }

  /** Takes ownership of `chunk` (it must not be reused by the caller). False: pause until onDrain. */
  write(chunk: Uint8Array): boolean {
    if (this.closed) throw new Error('BoundedLog: write after close');
    const start = this.totalBytes;
    this.totalBytes += chunk.length;
    if (!this.overflowed && this.totalBytes <= this.maxBytes) {
      this.enqueue({ kind: 'write', data: chunk, position: this.filePosition });
      this.filePosition += chunk.length;
      if (this.totalBytes > this.headBytes) this.remember(chunk.subarray(Math.max(0, this.headBytes - start)));
      return this.queuedBytes < HIGH_WATER_BYTES;
    }
    if (!this.overflowed) {
      this.overflowed = true;
      const headPart = Math.max(0, this.headBytes - start);
      if (start < this.headBytes) {
        // This chunk completes the head; nothing beyond the head was written yet.
        this.enqueue({ kind: 'write', data: chunk.subarray(0, headPart), position: start });
      } else {
        this.enqueue({ kind: 'truncate', length: this.headBytes });
      }
      this.remember(chunk.subarray(headPart));
      return this.queuedBytes < HIGH_WATER_BYTES;
    }
    this.remember(chunk);
    return this.queuedBytes < HIGH_WATER_BYTES;
  }

  /** Writes the marker and the tail if anything was dropped, closes the file. */
  async close(): Promise<BoundedLogResult> {
    if (this.closed) throw new Error('BoundedLog: closed twice');
    this.closed = true;
    const omittedBytes = Math.max(0, this.totalBytes - this.maxBytes);
    if (this.overflowed) {
      // The marker, then the ring's two halves in place: no copy of the tail is made at the end of a flood.
      let position = this.headBytes;
      for (const data of [Buffer.from(omittedMarker(omittedBytes), 'utf8'), ...this.ringParts()]) {
        this.enqueue({ kind: 'write', data, position });
        position += data.length;
      }
    }
    await new Promise<void>((resolve) => {
      if (!this.writing && this.queue.length === 0) resolve();
      else this.idleWaiters.push(resolve);
    });
    this.ring = null;
    closeSync(this.fd);
    if (this.failure) throw this.failure;
    return { totalBytes: this.totalBytes, omittedBytes };
  }

  /** Copies bytes beyond the head into the ring, keeping only the last tailBytes. */
  private remember(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.ring ??= Buffer.allocUnsafe(this.tailBytes);
    const ring = this.ring;
    const size = this.tailBytes;
    const data = bytes.length > size ? bytes.subarray(bytes.length - size) : bytes;
    let writeAt = (this.ringStart + this.ringLength) % size;
    let offset = 0;
    while (offset < data.length) {
      const n = Math.min(data.length - offset, size - writeAt);
      ring.set(data.subarray(offset, offset + n), writeAt);
      offset += n;
      writeAt = (writeAt + n) % size;
    }
    const length = this.ringLength + data.length;
    if (length > size) {
      this.ringStart = (this.ringStart + (length - size)) % size;
      this.ringLength = size;
    } else {
      this.ringLength = length;
    }
  }

  /** The tail bytes in order, as views of the ring (valid until it is released at close). */
  private ringParts(): Buffer[] {
    if (!this.ring || this.ringLength === 0) return [];
    const end = this.ringStart + this.ringLength;
    if (end <= this.tailBytes) return [this.ring.subarray(this.ringStart, end)];
    return [this.ring.subarray(this.ringStart), this.ring.subarray(0, end - this.tailBytes)];
  }

  private enqueue(op: FileOp): void {
    if (op.kind === 'write') {
      if (op.data.length === 0) return;
      this.queuedBytes += op.data.length;
    }
    this.queue.push(op);
    if (!this.writing) this.pump();
  }

  private pump(): void {
    const op = this.queue.shift();
    if (!op) {
      this.writing = false;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    this.writing = true;
    const done = (error: Error | null): void => {
      if (error && !this.failure) this.failure = error;
      if (op.kind === 'write') {
        const before = this.queuedBytes;
        this.queuedBytes -= op.data.length;
        if (before >= HIGH_WATER_BYTES && this.queuedBytes < HIGH_WATER_BYTES) this.drainListener?.();
      }
      this.pump();
    };
    if (this.failure) return done(null); // a failed disk keeps the run going; the error surfaces at close
    if (op.kind === 'truncate') ftruncate(this.fd, op.length, done);
    else writeAll(this.fd, op.data, op.position, done);
  }
}

function writeAll(fd: number, data: Uint8Array, position: number, callback: (error: Error | null) => void): void {
  write(fd, data, 0, data.length, position, (error, written) => {
    if (error) return callback(error);
    if (written < data.length) return writeAll(fd, data.subarray(written), position + written, callback);
    callback(null);
  });
}
