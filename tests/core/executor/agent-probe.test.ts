import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probeAgentVersion } from '../../../src-main/core/executor/agent-probe.js';

/** Issue 18: an agent slower than its probe is reported as timed out, not as a path to fix. */
const dir = mkdtempSync(join(tmpdir(), 'beacon-probe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function agent(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('probeAgentVersion', () => {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

  it('reads the first line of the version', async () => {
    expect(await probeAgentVersion(agent('quick', 'echo "2.1.0 (Claude Code)"; echo more'), env)).toEqual({ ok: true, version: '2.1.0 (Claude Code)' });
  });

  it('says a slow agent timed out', async () => {
    const slow = agent('slow', 'exec sleep 5');
    const result = await probeAgentVersion(slow, env, 300);
    expect(result).toEqual({ ok: false, timedOut: true, reason: `${slow} --version did not answer within 300 ms (timed out)` });
  });

  it('says a failing agent failed, with its reason', async () => {
    const result = await probeAgentVersion(agent('broken', 'echo nope >&2; exit 3'), env);
    expect(result).toMatchObject({ ok: false, timedOut: false, reason: expect.stringMatching(/--version failed: Command failed/) as unknown });
  });
});
