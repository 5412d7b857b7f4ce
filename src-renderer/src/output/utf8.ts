/** UTF-8 byte arithmetic on JS strings without allocating (event offsets are log byte offsets). */

export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** The part of `text` after its first `skipBytes` UTF-8 bytes (rounded up to a whole character). */
export function skipUtf8Bytes(text: string, skipBytes: number): string {
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < skipBytes) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
    i++;
  }
  return text.slice(i);
}
