/**
 * Streaming UTF-8 decoding: a code point split across two pty reads is carried to the next chunk
 * instead of becoming two U+FFFD characters.
 */
export interface Utf8Stream {
  push(chunk: Uint8Array): string;
  /** Flushes an incomplete trailing sequence (as U+FFFD). */
  end(): string;
}

export function createUtf8Stream(): Utf8Stream {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  return {
    push: (chunk) => decoder.decode(chunk, { stream: true }),
    end: () => decoder.decode(),
  };
}
