import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPtyRunner } from '../../../src-main/core/run/pty-runner.js';
import { fakeInvocation, testAgentEnv } from './fake-agent.js';

/**
 * The result grace (the linger allowed after the stream-json result line) is a ceiling, never a wait:
 * an agent that prints its result and exits ends the run as soon as it is gone, so a command's start to
 * completion is not padded by resultGraceMs (issue 7 per-command overhead).
 */
const root = mkdtempSync(join(tmpdir(), 'beacon-grace-'));
const work = join(root, 'work');
mkdirSync(work);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const GRACE_MS = 60_000;
const runner = createPtyRunner({ killStepMs: 300, resultGraceMs: GRACE_MS });

describe('result grace', () => {
  it('a run whose agent exits after its result line ends at the exit, long before the grace would stop it', async () => {
    const started = Date.now();
    const run = runner.start(
      {
        commandId: 'grace-1',
        invocation: fakeInvocation('done quickly'),
        cwd: work,
        env: testAgentEnv(root),
        timeoutMs: 2 * GRACE_MS,
        logPath: join(root, 'logs', 'grace-1.log'),
        maxOutputBytes: 1024 * 1024,
        outputFormat: 'stream-json',
      },
      {},
    );
    const result = await run.result;
    // Ended by the exit itself (detail null), not by the grace timer's stop ("still running … after its result line").
    expect(result).toMatchObject({ reason: 'exited', exitCode: 0, detail: null });
    expect(result.summary.resultText).not.toBeNull();
    expect(Date.now() - started).toBeLessThan(GRACE_MS / 2);
  }, GRACE_MS);
});
