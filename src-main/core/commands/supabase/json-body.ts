/**
 * The JSON text of one flat row, as UTF-8 bytes, for a request body. Why not JSON.stringify: a result
 * row carries a stdout tail of up to 10 MiB, and one stringify of it (then its UTF-8 copy for the
 * socket) held some 60 MB at once at the end of a flood (docs/reliability.md, output). Long strings are
 * escaped slice by slice straight into bytes, so only the body itself is ever whole.
 * The bytes are exactly Buffer.from(JSON.stringify(row)).
 */
const SLICE_CHARS = 64 * 1024;

export function jsonRowBytes(row: Record<string, unknown>): Buffer<ArrayBuffer> {
  const pieces: Buffer[] = [];
  let first = true;
  pieces.push(Buffer.from('{'));
  for (const [key, value] of Object.entries(row)) {
    const long = typeof value === 'string' && value.length > SLICE_CHARS;
    const text = long ? '' : (JSON.stringify(value) as string | undefined);
    if (text === undefined) continue; // undefined (or a function) is left out, as JSON.stringify does
    pieces.push(Buffer.from(`${first ? '' : ','}${JSON.stringify(key)}:`));
    first = false;
    if (long) pushLongString(pieces, value);
    else pieces.push(Buffer.from(text));
  }
  pieces.push(Buffer.from('}'));
  return Buffer.concat(pieces);
}

function pushLongString(pieces: Buffer[], text: string): void {
  pieces.push(Buffer.from('"'));
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + SLICE_CHARS);
    // Never cut between the two halves of a surrogate pair: each slice must escape as it would whole.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++;
    const escaped = JSON.stringify(text.slice(start, end));
    pieces.push(Buffer.from(escaped.slice(1, -1)));
    start = end;
  }
  pieces.push(Buffer.from('"'));
}
