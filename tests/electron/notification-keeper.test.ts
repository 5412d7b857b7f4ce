import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createNotificationKeeper } from '../../src-main/electron/notification-keeper.js';

class FakeNotification extends EventEmitter {
  shown = false;
  constructor(readonly title: string) {
    super();
  }
  show(): void {
    this.shown = true;
  }
}

function setup(max?: number) {
  const created: FakeNotification[] = [];
  const opened: (string | null)[] = [];
  const failed: (string | null)[] = [];
  const keeper = createNotificationKeeper({
    create: (notice) => {
      const n = new FakeNotification(notice.title);
      created.push(n);
      return n;
    },
    open: (id) => opened.push(id),
    onFailed: (notice) => failed.push(notice.commandId),
    max,
  });
  const notice = (id: string) => ({ commandId: id, title: `done ${id}`, body: '' });
  return { keeper, created, opened, failed, notice };
}

describe('notification retention', () => {
  it('holds each notification until it is clicked or closed; a click opens its command', () => {
    const { keeper, created, opened, notice } = setup();
    keeper.show(notice('a'));
    keeper.show(notice('b'));
    expect(created.map((n) => n.shown)).toEqual([true, true]);
    expect(keeper.held()).toBe(2);
    created[0]!.emit('click');
    expect(opened).toEqual(['a']);
    expect(keeper.held()).toBe(1);
    created[1]!.emit('close');
    expect(keeper.held()).toBe(0);
    expect(opened).toEqual(['a']); // closing opens nothing
  });

  it('a failed notification is let go and reported; the oldest go first beyond the cap', () => {
    const { keeper, created, failed, notice } = setup(2);
    keeper.show(notice('x'));
    created[0]!.emit('failed', {}, 'no permission');
    expect(failed).toEqual(['x']);
    expect(keeper.held()).toBe(0);
    for (const id of ['p', 'q', 'r']) keeper.show(notice(id));
    expect(keeper.held()).toBe(2);
  });
});
