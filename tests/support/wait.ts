import { setTimeout as delay } from 'node:timers/promises';

/**
 * Poll `probe` until it returns something truthy (and return that), or fail naming what was awaited. For
 * states that announce themselves through no event: a row in a database, a file, another process's output.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(intervalMs);
  }
}
