import { describe, expect, it } from 'vitest';
import { filterCommands, isFiltering, NO_FILTER } from '../../src-renderer/src/command-filter.js';
import { claimingLabel, connectionView, waitingView } from '../../src-renderer/src/status-view.js';
import { commandWith, snapshotWith } from '../support/snapshot-fixture.js';

/** What the header and the list decide, in plain Node. */
const link = (state: 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'auth_failed', reason: string | null = null) => ({ state, reason, generation: 1 });

describe('the connection indicator', () => {
  it('does not say Connected before the first state arrived, and the body says the same', () => {
    expect(connectionView(null, link('connected'))).toEqual({ state: 'connecting', label: 'Connecting', reason: 'Waiting for the first state from the executor.' });
    expect(waitingView(link('connected'), null).title).toBe('Connecting…');
    expect(connectionView(null, link('connecting')).label).toBe('Connecting');
  });

  it("the page's link when it is down, else the source's state", () => {
    expect(connectionView(snapshotWith(), link('offline', 'Beacon is not answering'))).toEqual({ state: 'offline', label: 'Offline', reason: 'Beacon is not answering' });
    expect(waitingView(link('auth_failed', 'The dashboard token is missing or wrong.'), null)).toEqual({ title: 'Not allowed', detail: 'The dashboard token is missing or wrong.' });
    const supabase = snapshotWith({ source: { kind: 'supabase', connection: 'reconnecting', detail: 'realtime dropped', pendingWrites: 3 } });
    expect(connectionView(supabase, link('connected'))).toEqual({ state: 'reconnecting', label: 'Reconnecting · Supabase', reason: 'realtime dropped · 3 write(s) waiting to be sent' });
    expect(connectionView(snapshotWith(), link('connected')).label).toBe('Connected · local queue');
  });
});

describe('the subtitle', () => {
  it('says paused under the Paused banner, claiming otherwise, and the role when not active', () => {
    expect(claimingLabel({ role: 'active', paused: true })).toBe('paused');
    expect(claimingLabel({ role: 'active', paused: false })).toBe('claiming');
    expect(claimingLabel({ role: 'standby', paused: true })).toBe('standby');
  });
});

describe('the history filter', () => {
  const commands = [
    commandWith('aaaa1111', 'running', { prompt: 'Fix the flaky login test', workingDirectory: '/home/me/code/web' }),
    commandWith('bbbb2222', 'failed', { prompt: 'Update dependencies', workingDirectory: '/home/me/code/api' }),
    commandWith('cccc3333', 'timeout', { prompt: 'Write the migration', workingDirectory: '/home/me/code/api' }),
    commandWith('dddd4444', 'completed', { prompt: 'Summarise the README', workingDirectory: '/home/me/code/web', agent: 'codex' }),
  ];
  const ids = (filter: Parameters<typeof filterCommands>[1]) => filterCommands(commands, filter).map((c) => c.id);

  it('matches every word against prompt, directory, id and agent, in any case', () => {
    expect(ids(NO_FILTER)).toEqual(['aaaa1111', 'bbbb2222', 'cccc3333', 'dddd4444']);
    expect(ids({ text: 'LOGIN', status: 'all' })).toEqual(['aaaa1111']);
    expect(ids({ text: 'code/api', status: 'all' })).toEqual(['bbbb2222', 'cccc3333']);
    expect(ids({ text: 'api write', status: 'all' })).toEqual(['cccc3333']);
    expect(ids({ text: 'dddd44', status: 'all' })).toEqual(['dddd4444']);
    expect(ids({ text: 'codex', status: 'all' })).toEqual(['dddd4444']);
  });

  it('narrows by status group (failed includes timed out)', () => {
    expect(ids({ text: '', status: 'failed' })).toEqual(['bbbb2222', 'cccc3333']);
    expect(ids({ text: '', status: 'active' })).toEqual(['aaaa1111']);
    expect(ids({ text: 'web', status: 'completed' })).toEqual(['dddd4444']);
    expect(isFiltering(NO_FILTER)).toBe(false);
    expect(isFiltering({ text: '  ', status: 'all' })).toBe(false);
    expect(isFiltering({ text: '', status: 'cancelled' })).toBe(true);
  });
});
