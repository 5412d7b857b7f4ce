import { describe, expect, it } from 'vitest';
import { createOutputBatcher } from '../../../src-main/core/executor/output-batcher.js';
import type { OutputEvent } from '../../../src-main/core/executor/types.js';

/** The UI output batcher: nothing is buffered while nobody listens, and offsets stay exact for a late listener. */
describe('output batcher', () => {
  it('buffers nothing while nobody listens; a listener that attaches later gets exact byte offsets', () => {
    const events: OutputEvent[] = [];
    let listening = false;
    const batcher = createOutputBatcher(60_000, (event) => events.push(event), () => listening);
    batcher.push('c1', 'é'.repeat(10)); // 20 bytes, nobody listens
    batcher.push('c1', 'ab');
    batcher.finish('c2'); // another command: nothing
    expect(events).toEqual([]);
    listening = true;
    batcher.push('c1', 'xyz');
    expect(events).toEqual([]); // buffered for the window now
    batcher.finish('c1');
    expect(events).toEqual([{ commandId: 'c1', seq: 1, offset: 25, data: 'xyz' }]);
  });

  it('counts what was buffered before the last listener left in the offset', () => {
    const events: OutputEvent[] = [];
    let listening = true;
    const batcher = createOutputBatcher(60_000, (event) => events.push(event), () => listening);
    batcher.push('c1', 'abcd');
    listening = false;
    batcher.push('c1', 'efg'); // flushes 'abcd' (to whoever is left) and only counts 'efg'
    listening = true;
    batcher.push('c1', 'h');
    batcher.dispose();
    expect(events).toEqual([
      { commandId: 'c1', seq: 1, offset: 4, data: 'abcd' },
      { commandId: 'c1', seq: 2, offset: 8, data: 'h' },
    ]);
  });
});
