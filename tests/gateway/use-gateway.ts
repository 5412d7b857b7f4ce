import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startGateway, type Gateway } from './index.js';

/**
 * One gateway per test file: started before the first test, emptied (bridge tables, faults) before each,
 * stopped after the last. `set` receives it, so a file keeps using its own `gateway` variable.
 */
export function useGateway(set: (gateway: Gateway) => void): void {
  let gateway: Gateway | undefined;
  beforeAll(async () => {
    gateway = await startGateway();
    set(gateway);
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
  });
  beforeEach(async () => {
    await gateway!.reset();
  });
}
