import { StringDecoder } from 'node:string_decoder';

/**
 * Streaming UTF-8 decoding: a code point split across two pty reads is carried to the next chunk
 * instead of becoming two U+FFFD characters. node's StringDecoder, not TextDecoder: the same text for
 * valid and invalid input alike, at a fraction of the cost per chunk (TextDecoder was among the largest
 * cost of a 200 MB flood in a CPU profile of the executor).
 */
export interface Utf8Stream {
  push(chunk: Uint8Array): string;
  /** Flushes an incomplete trailing sequence (as U+FFFD). */
  end(): string;
}

export function createUtf8Stream(): Utf8Stream {
  const decoder = new StringDecoder('utf8');
  return {
    push: (chunk) => decoder.write(chunk),
    end: () => decoder.end(),
  };
}
