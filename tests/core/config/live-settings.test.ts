import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { changedSettings, liveConfig } from '../../../src-main/core/config/live-settings.js';
import { configSchema, type BeaconConfig } from '../../../src-main/core/config/schema.js';
import { watchConfigFile } from '../../../src-main/core/config/watch.js';
import type { ConfigError } from '../../../src-main/core/config/errors.js';
import { waitFor } from '../../support/wait.js';

const base = (extra: Record<string, unknown> = {}): BeaconConfig =>
  configSchema.parse({ machine: { id: 'beacon-a' }, execution: { allowed_directories: ['/srv/a'] }, agents: { claude: { command: 'claude' } }, ...extra });

describe('which edits apply at once and which wait for a restart', () => {
  it('allowed folders, agents, timeouts, concurrency, poll and heartbeat apply; the running source and identity stay', () => {
    const started = base();
    const file = base({
      machine: { id: 'beacon-b' },
      command_source: 'supabase',
      supabase: { url: 'https://x.supabase.co', poll_seconds: 5, heartbeat_seconds: 10 },
      execution: { allowed_directories: ['/srv/a', '/srv/b'], max_concurrent: 3, default_timeout_seconds: 60 },
      agents: { claude: { command: 'claude' }, codex: { command: 'codex' } },
    });
    const live = liveConfig(started, file);
    expect(live.restartNeeded).toEqual(['command_source', 'machine.id', 'supabase.url']);
    expect(live.config.machine.id).toBe('beacon-a');
    expect(live.config.command_source).toBe('auto');
    expect(live.config.supabase.url).toBeNull();
    expect(live.config.supabase.poll_seconds).toBe(5);
    expect(live.config.supabase.heartbeat_seconds).toBe(10);
    expect(live.config.execution).toMatchObject({ allowed_directories: ['/srv/a', '/srv/b'], max_concurrent: 3, default_timeout_seconds: 60 });
    expect(Object.keys(live.config.agents)).toEqual(['claude', 'codex']);
    expect(changedSettings(started, live.config)).toEqual([
      'agents.codex',
      'execution.allowed_directories',
      'execution.default_timeout_seconds',
      'execution.max_concurrent',
      'supabase.heartbeat_seconds',
      'supabase.poll_seconds',
    ]);
  });

  it('a removed machine.id keeps the running one; putting a restart setting back clears the wait', () => {
    const started = base();
    const withoutId = configSchema.parse({ execution: { allowed_directories: ['/srv/a'] }, agents: { claude: { command: 'claude' } } });
    expect(liveConfig(started, withoutId)).toMatchObject({ restartNeeded: ['machine.id'], config: { machine: { id: 'beacon-a' } } });
    expect(liveConfig(started, base()).restartNeeded).toEqual([]);
  });

  it('the anon key and credential sharing wait for a restart: the running session was opened with them', () => {
    const started = base();
    const file = base({ supabase: { anon_key: 'anon-new', share_mentu_credentials: false } });
    const live = liveConfig(started, file);
    expect(live.restartNeeded).toEqual(['supabase.anon_key', 'supabase.share_mentu_credentials']);
    expect(live.config.supabase).toMatchObject({ anon_key: null, share_mentu_credentials: true });
  });
});

describe('watchConfigFile', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('hands on each saved valid edit once (also after an atomic replace) and reports an invalid one with line and column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-watch-'));
    dirs.push(dir);
    const file = join(dir, 'beacon.yaml');
    writeFileSync(file, 'execution:\n  max_concurrent: 1\n');
    const valid: BeaconConfig[] = [];
    const invalid: ConfigError[] = [];
    const watch = watchConfigFile({ file, initialText: 'execution:\n  max_concurrent: 1\n', settleMs: 30, pollMs: 200, onValid: (c) => valid.push(c), onInvalid: (e) => invalid.push(e) });
    try {
      writeFileSync(file, 'execution:\n  max_concurrent: 2\n');
      await waitFor('the first edit', () => valid.length === 1);
      expect(valid[0]!.execution.max_concurrent).toBe(2);

      // Editors and Beacon itself replace the file by renaming a new one over it.
      writeFileSync(join(dir, 'beacon.yaml.tmp'), 'execution:\n  max_concurrent: 3\n');
      renameSync(join(dir, 'beacon.yaml.tmp'), file);
      await waitFor('the replaced file', () => valid.length === 2);
      expect(valid[1]!.execution.max_concurrent).toBe(3);

      writeFileSync(file, 'execution:\n  max_concurrent: [\n');
      await waitFor('the invalid edit', () => invalid.length === 1);
      expect(invalid[0]!.message).toMatch(/at line \d+, column \d+/);
      writeFileSync(file, 'execution:\n  max_concurent: 4\n');
      await waitFor('the unknown key', () => invalid.length === 2);
      expect(invalid[1]!.message).toMatch(/line 2, column 3: execution.max_concurent: unknown key "max_concurent"; did you mean "max_concurrent"/);
      writeFileSync(file, '');
      await waitFor('the emptied file', () => invalid.length === 3);
      expect(invalid[2]!.message).toMatch(/is empty; the running configuration stays/);
      expect(valid).toHaveLength(2);

      // The same text again is no change.
      writeFileSync(file, 'execution:\n  max_concurrent: 3\n');
      await waitFor('the good text back', () => valid.length === 3);
      await watch.checkNow();
      expect(valid).toHaveLength(3);
    } finally {
      watch.stop();
    }
  });
});
