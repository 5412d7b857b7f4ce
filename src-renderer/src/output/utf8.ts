/** UTF-8 byte arithmetic on JS strings without allocating (event offsets are log byte offsets). */

/** UTF-8 bytes of the character starting at `i` and how many UTF-16 units it spans. */
function charAt(text: string, i: number): { bytes: number; units: number } {
  const code = text.charCodeAt(i);
  if (code < 0x80) return { bytes: 1, units: 1 };
  if (code < 0x800) return { bytes: 2, units: 1 };
  if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) return { bytes: 4, units: 2 };
  return { bytes: 3, units: 1 };
}

export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; ) {
    const char = charAt(text, i);
    bytes += char.bytes;
    i += char.units;
  }
  return bytes;
}

/** The part of `text` after its first `skipBytes` UTF-8 bytes (rounded up to a whole character). */
export function skipUtf8Bytes(text: string, skipBytes: number): string {
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < skipBytes) {
    const char = charAt(text, i);
    bytes += char.bytes;
    i += char.units;
  }
  return text.slice(i);
}
