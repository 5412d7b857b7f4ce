import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPtyRunner } from '../../../src-main/core/run/pty-runner.js';
import type { RunRequest } from '../../../src-main/core/run/runner.js';
import { checkWorkingDirectory } from '../../../src-main/core/run/workdir.js';
import { testAgentEnv } from './fake-agent.js';

/** The launch step (run/launch.ts): the agent starts only in the directory whose identity was checked. */
const root = mkdtempSync(join(tmpdir(), 'beacon-launch-'));
const work = join(root, 'work');
const other = join(root, 'other');
mkdirSync(work);
mkdirSync(other);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const runner = createPtyRunner({ killStepMs: 300 });
const identity = (dir: string) => {
  const stat = statSync(dir, { bigint: true });
  return `${stat.dev}:${stat.ino}`;
};
let n = 0;
function request(cwdIdentity: string): RunRequest {
  const id = `launch-${++n}`;
  const marker = join(root, `${id}.cwd`);
  return {
    commandId: id,
    invocation: { file: '/bin/sh', args: ['-c', 'pwd -P > "$1"', 'agent', marker] },
    cwd: work,
    cwdIdentity,
    env: testAgentEnv(root),
    timeoutMs: 10_000,
    logPath: join(root, 'logs', `${id}.log`),
    maxOutputBytes: 65536,
  };
}

describe('the verified launch', () => {
  it('checkWorkingDirectory reports the identity of the directory it opened', () => {
    expect(checkWorkingDirectory(work, [root], root)).toEqual({ ok: true, realPath: work, identity: identity(work) });
  });

  it('runs the agent in the directory when its identity matches', async () => {
    const req = request(identity(work));
    const result = await runner.start(req, {}).result;
    expect(result).toMatchObject({ reason: 'exited', exitCode: 0 });
    expect(readFileSync(join(root, `${req.commandId}.cwd`), 'utf8').trim()).toBe(work);
  });

  it('refuses to start the agent when the directory is another one now, and says why', async () => {
    const req = request(identity(other));
    const result = await runner.start(req, {}).result;
    expect(result.reason).toBe('spawn_failed');
    expect(result.detail).toMatch(/^the working directory .*\/work was replaced after it was checked \(expected device:inode \d+:\d+, found \d+:\d+\); the agent was not started$/);
    expect(() => statSync(join(root, `${req.commandId}.cwd`))).toThrow();
  });
});
