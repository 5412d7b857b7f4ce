import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { omittedMarker } from '../../../src-main/core/run/output/bounded-log.js';
import { createPtyRunner } from '../../../src-main/core/run/pty-runner.js';
import { fakeInvocation, testAgentEnv } from './fake-agent.js';

const root = mkdtempSync(join(tmpdir(), 'beacon-flood-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('50 MB of output', () => {
  it('keeps the log bounded to max_output_bytes plus the marker, with head and tail, and still parses the result', async () => {
    const maxOutputBytes = 1024 * 1024;
    const logPath = join(root, 'logs', 'flood.log');
    let outputChars = 0;
    const result = await createPtyRunner().start(
      {
        commandId: 'flood',
        invocation: fakeInvocation(`@agent bytes=${50 * 1024 * 1024}`),
        cwd: root,
        env: testAgentEnv(root),
        timeoutMs: 300_000,
        logPath,
        maxOutputBytes,
      },
      { onOutput: (t) => (outputChars += t.length) },
    ).result;

    expect(result).toMatchObject({ reason: 'exited', exitCode: 0, outputTruncated: true });
    expect(result.totalBytes).toBeGreaterThan(50 * 1024 * 1024);
    expect(outputChars).toBe(result.totalBytes); // all ASCII: one char per byte reached the UI stream
    expect(result.summary).toMatchObject({ costUsd: 0.0123, numTurns: 2, resultSubtype: 'success', model: 'claude-stand-in-1' });

    const log = readFileSync(logPath);
    const omitted = result.totalBytes - maxOutputBytes;
    const marker = Buffer.from(omittedMarker(omitted));
    expect(log.length).toBe(maxOutputBytes + marker.length);
    const head = log.subarray(0, maxOutputBytes / 2).toString();
    expect(head.startsWith('{"type":"system","subtype":"init"')).toBe(true);
    expect(head).toContain('flood-0123456789-abcdefghijklmnopqrstuvwxyz');
    expect(log.subarray(maxOutputBytes / 2, maxOutputBytes / 2 + marker.length).equals(marker)).toBe(true);
    const tail = log.subarray(maxOutputBytes / 2 + marker.length).toString();
    expect(tail).toMatch(/\{"type":"result","subtype":"success".*\}\r\n$/);
    expect(tail).toContain('flood-0123456789');

    expect(result.outputTail.length).toBeLessThanOrEqual(maxOutputBytes);
    expect(result.outputTail).toMatch(/"type":"result".*\}\n$/);
  });
});
