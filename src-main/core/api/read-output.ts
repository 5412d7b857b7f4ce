import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Reads a slice of a command's log from a byte offset, decoding only whole UTF-8 code points: a slice
 * never ends in the middle of a character (unless the log is finished), and a start inside one skips
 * to the next character. Returns the bytes actually consumed.
 */
export interface LogSlice {
  offset: number;
  nextOffset: number;
  data: string;
  size: number;
}

export function readLogSlice(path: string, offset: number, maxBytes: number, finished: boolean): LogSlice {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { offset, nextOffset: offset, data: '', size: 0 };
  }
  try {
    const size = fstatSync(fd).size;
    if (offset >= size) return { offset, nextOffset: offset, data: '', size };
    const length = Math.min(maxBytes, size - offset);
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, offset);
    let bytes = buffer.subarray(0, read);
    let start = offset;
    let skip = 0;
    while (skip < Math.min(3, bytes.length) && isContinuation(bytes[skip]!)) skip++;
    bytes = bytes.subarray(skip);
    start += skip;
    const atEnd = start + bytes.length >= size;
    const whole = atEnd && finished ? bytes.length : completeLength(bytes);
    // A run of invalid bytes longer than a code point must not stall a reader forever.
    const take = whole === 0 && bytes.length >= 4 ? bytes.length : whole;
    return { offset: start, nextOffset: start + take, data: bytes.subarray(0, take).toString('utf8'), size };
  } finally {
    closeSync(fd);
  }
}

function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

/** Length of the prefix of `bytes` that ends on a code-point boundary. */
function completeLength(bytes: Buffer): number {
  const end = bytes.length;
  for (let i = end - 1; i >= Math.max(0, end - 4); i--) {
    const byte = bytes[i]!;
    if (isContinuation(byte)) continue;
    const need = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return i + need <= end ? end : i;
  }
  return end;
}
