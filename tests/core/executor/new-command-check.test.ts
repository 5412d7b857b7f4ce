import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../src-main/core/config/schema.js';
import { checkNewCommand } from '../../../src-main/core/executor/new-command-check.js';
import type { PlanContext } from '../../../src-main/core/executor/pre-claim.js';

/** The one up-front check `beacon enqueue` and the New command form share. */
const root = realpathSync(mkdtempSync(join(tmpdir(), 'beacon-newcheck-')));
const home = join(root, 'home');
const work = join(home, 'code', 'repo');
const outside = join(root, 'outside');
mkdirSync(work, { recursive: true });
mkdirSync(outside);
writeFileSync(join(work, 'file.txt'), 'x');
symlinkSync(outside, join(work, 'escape'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const context = (kind: 'local' | 'supabase' = 'local'): PlanContext => ({
  config: configSchema.parse({
    machine: { id: 'beacon-me' },
    execution: { allowed_directories: ['~/code'], default_agent: 'claude' },
    agents: { claude: { command: process.execPath }, codex: { command: process.execPath } },
  }),
  configPath: '/cfg/beacon.yaml',
  machineId: 'beacon-me',
  sourceKind: kind,
  homeDir: home,
  agentEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
});

describe('checkNewCommand', () => {
  it('accepts a command in an allowed folder (the `~` entry expanded) and fills in the default agent', () => {
    expect(checkNewCommand({ prompt: 'hi', workingDirectory: work }, context())).toEqual({ ok: true, agent: 'claude', workingDirectory: work, checkedHere: true });
    expect(checkNewCommand({ prompt: 'hi', workingDirectory: work, agent: 'codex', timeoutSeconds: 60 }, context())).toMatchObject({ ok: true, agent: 'codex' });
  });

  it.each([
    ['an empty prompt', { prompt: '  \n', workingDirectory: work }, /empty|whitespace/],
    ['a relative directory', { prompt: 'p', workingDirectory: 'code/repo' }, /not an absolute path/],
    ['a missing directory', { prompt: 'p', workingDirectory: join(work, 'nope') }, /does not exist/],
    ['a file', { prompt: 'p', workingDirectory: join(work, 'file.txt') }, /is a file/],
    ['a folder outside the allowed ones', { prompt: 'p', workingDirectory: outside }, /outside the allowed directories/],
    ['a symlink out of them', { prompt: 'p', workingDirectory: join(work, 'escape') }, /outside the allowed directories/],
    ['an unknown agent', { prompt: 'p', workingDirectory: work, agent: 'gpt' }, /unknown agent "gpt": this machine's agents are claude, codex/],
    ['an inherited property as agent', { prompt: 'p', workingDirectory: work, agent: 'constructor' }, /unknown agent "constructor"/],
    ['a zero timeout', { prompt: 'p', workingDirectory: work, timeoutSeconds: 0 }, /positive number of seconds/],
    ['a timeout over 7 days', { prompt: 'p', workingDirectory: work, timeoutSeconds: 8 * 24 * 3600 }, /up to 604800/],
    ['another machine on the local queue', { prompt: 'p', workingDirectory: work, targetMachineId: 'beacon-other' }, /served by this machine only/],
  ])('refuses %s with the reason', (_name, request, reason) => {
    const result = checkNewCommand(request, context());
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
    expect(!result.ok && result.reason).toMatch(/^Not queued: [a-z]/);
  });

  it("on Supabase judges only what this machine will run: targeted here is checked, another machine's or an untargeted one is not", () => {
    expect(checkNewCommand({ prompt: 'p', workingDirectory: outside, targetMachineId: 'beacon-me' }, context('supabase')).ok).toBe(false);
    expect(checkNewCommand({ prompt: 'p', workingDirectory: outside, targetMachineId: 'beacon-vps' }, context('supabase'))).toMatchObject({ ok: true, checkedHere: false });
    expect(checkNewCommand({ prompt: 'p', workingDirectory: '/srv/elsewhere', agent: 'gpt' }, context('supabase'))).toMatchObject({ ok: true, checkedHere: false });
    // What is never right anywhere is refused whoever runs it.
    expect(checkNewCommand({ prompt: '', workingDirectory: '/srv/elsewhere' }, context('supabase')).ok).toBe(false);
  });
});
