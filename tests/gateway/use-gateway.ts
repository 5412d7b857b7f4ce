import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startGateway, type Gateway, type GatewayOptions } from './index.js';

/**
 * One gateway per test file: started before the first test, emptied (bridge tables, faults) before each,
 * stopped after the last. `set` receives it, so a file keeps using its own `gateway` variable.
 */
export function useGateway(set: (gateway: Gateway) => void, options?: GatewayOptions): void {
  let gateway: Gateway | undefined;
  beforeAll(async () => {
    gateway = await startGateway(options);
    set(gateway);
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
  });
  beforeEach(async () => {
    await gateway!.reset();
  });
}
