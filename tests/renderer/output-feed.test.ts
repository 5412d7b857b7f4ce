import { describe, expect, it } from 'vitest';
import type { OutputSlice } from '../../src-main/core/contract/types.js';
import { OutputFeed } from '../../src-renderer/src/output/output-feed.js';
import { FrameWriter } from '../../src-renderer/src/output/frame-writer.js';
import { skipUtf8Bytes, utf8Length } from '../../src-renderer/src/output/utf8.js';

/** The terminal's bookkeeping without a browser: offsets, replays, duplicates, gaps, frame pacing. */

class Log {
  bytes = Buffer.alloc(0);
  finished = false;
  seq = 0;
  reads: number[] = [];
  append(text: string) {
    this.bytes = Buffer.concat([this.bytes, Buffer.from(text)]);
    this.seq++;
    return { type: 'output' as const, commandId: 'c1', seq: this.seq, offset: this.bytes.length, data: text };
  }
  async readOutput(commandId: string, offset: number, maxBytes = 1 << 20): Promise<OutputSlice> {
    this.reads.push(offset);
    const end = Math.min(this.bytes.length, offset + maxBytes);
    return { commandId, offset, nextOffset: end, data: this.bytes.subarray(offset, end).toString(), complete: this.finished && end >= this.bytes.length };
  }
}

function feedOver(log: Log, options = {}) {
  const written: string[] = [];
  const notices: string[] = [];
  const feed = new OutputFeed(log, 'c1', { write: (t) => written.push(t), notice: (t) => notices.push(t) }, options);
  return { feed, written, notices, text: () => written.join('') };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('OutputFeed', () => {
  it('replays the log, then appends live events once each, ignoring duplicates', async () => {
    const log = new Log();
    const early = [log.append('one\n'), log.append('two\n')];
    const { feed, text } = feedOver(log);
    await feed.start(log.bytes.length);
    for (const event of early) feed.onEvent(event); // already replayed: duplicates
    feed.onEvent(log.append('three\n'));
    feed.onEvent({ ...log.append('für\n'), commandId: 'other' }); // another command's output is not ours
    expect(text()).toBe('one\ntwo\nthree\n');
    expect(feed.offset).toBe(Buffer.byteLength('one\ntwo\nthree\n'));
  });

  it('trims an event that overlaps what a replay already wrote', async () => {
    const log = new Log();
    log.append('abc');
    const { feed, text } = feedOver(log);
    await feed.start(3);
    // The log moved on before the batched event was sent: the event covers "abc" + "déf".
    log.append('déf');
    feed.onEvent({ type: 'output', commandId: 'c1', seq: 1, offset: log.bytes.length, data: 'abcdéf' });
    expect(text()).toBe('abcdéf');
  });

  it('fills a gap from the log when events were lost', async () => {
    const log = new Log();
    const { feed, text } = feedOver(log);
    await feed.start(0);
    feed.onEvent(log.append('first\n'));
    log.append('lost\n'); // never delivered
    feed.onEvent(log.append('third\n'));
    await settle();
    await settle();
    expect(text()).toBe('first\nlost\nthird\n');
    expect(log.reads.length).toBeGreaterThan(1);
  });

  it('fetches only the tail of a long log and says what it skipped', async () => {
    const log = new Log();
    log.append('x'.repeat(5000) + 'TAIL');
    log.finished = true;
    const { feed, text, notices } = feedOver(log, { tailBytes: 1000 });
    await feed.start(log.bytes.length);
    expect(text()).toHaveLength(1000);
    expect(text().endsWith('TAIL')).toBe(true);
    expect(notices[0]).toMatch(/3\.9 KB of earlier output/);
  });

  it('catches up with a finished command whose last events never came', async () => {
    const log = new Log();
    const { feed, text } = feedOver(log);
    await feed.start(0);
    log.append('all of it\n');
    log.finished = true;
    feed.noteLogSize(log.bytes.length, true);
    await settle();
    expect(text()).toBe('all of it\n');
  });

  it('shows live text after a note when the log does not hold the missing bytes', async () => {
    const log = new Log();
    const { feed, text, notices } = feedOver(log);
    await feed.start(0);
    // The executor's bounded log keeps only its head: the event lies beyond what can be read.
    feed.onEvent({ type: 'output', commandId: 'c1', seq: 9, offset: 500, data: 'late\n' });
    await settle();
    feed.onEvent({ type: 'output', commandId: 'c1', seq: 10, offset: 510, data: 'later\n' });
    await settle();
    expect(notices.join()).toMatch(/not kept in the log/);
    expect(text()).toBe('late\nlater\n');
    expect(feed.offset).toBe(510);
  });
});

describe('utf8 helpers', () => {
  it('count and skip bytes like Buffer does', () => {
    for (const text of ['plain', 'déjà vu', '日本語', 'emoji 🎉 ok']) {
      expect(utf8Length(text)).toBe(Buffer.byteLength(text));
      expect(skipUtf8Bytes(text, Buffer.byteLength(text.slice(0, 3)))).toBe(text.slice(3));
    }
  });
});

describe('FrameWriter', () => {
  function harness(options: { maxQueuedChars?: number; maxCharsPerFrame?: number } = {}) {
    const frames: (() => void)[] = [];
    const writes: { data: string; done: () => void }[] = [];
    let clock = 0;
    const writer = new FrameWriter(
      { write: (data, done) => writes.push({ data, done: done ?? (() => {}) }) },
      { requestFrame: (cb) => frames.push(cb), now: () => clock, ...options },
    );
    return { writer, frames, writes, advance: (ms: number) => (clock += ms) };
  }

  it('writes at most one batch per frame and waits for the terminal before the next', () => {
    const { writer, frames, writes } = harness();
    writer.push('a'.repeat(40_000));
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.data.length).toBe(16 * 1024);
    expect(frames).toHaveLength(0); // no new frame until xterm calls back
    writes[0]!.done();
    expect(frames).toHaveLength(1);
  });

  it('grows batches when the terminal is fast and shrinks them when it is slow', () => {
    const { writer, frames, writes, advance } = harness();
    writer.push('a'.repeat(2_000_000));
    const sizes: number[] = [];
    for (let i = 0; i < 6; i++) {
      frames.shift()!();
      const write = writes[writes.length - 1]!;
      sizes.push(write.data.length);
      advance(1); // 1 ms per batch: far under the 8 ms budget
      write.done();
    }
    expect(sizes[5]!).toBeGreaterThan(sizes[0]!);
    for (let i = 0; i < 6; i++) {
      frames.shift()!();
      const write = writes[writes.length - 1]!;
      sizes.push(write.data.length);
      advance(100); // slow
      write.done();
    }
    expect(sizes[11]!).toBeLessThan(sizes[5]!);
  });

  it('drops the oldest text beyond its queue limit and says so', () => {
    const { writer, frames, writes } = harness({ maxQueuedChars: 1000 });
    for (let i = 0; i < 30; i++) writer.push(`${String(i).padStart(2, '0')}`.repeat(50));
    expect(writer.pendingChars).toBeLessThanOrEqual(1000);
    frames.shift()!();
    expect(writes[0]!.data).toMatch(/characters skipped to keep up/);
    expect(writes[0]!.data).toContain('29'.repeat(50));
    expect(writes[0]!.data).not.toContain('00'.repeat(50));
    expect(writer.stats.droppedChars).toBe(2000);
  });
});
