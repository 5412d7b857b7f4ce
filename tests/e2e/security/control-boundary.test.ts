import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callExecutor } from '../../../src-main/cli/control/client.js';
import { cli, enqueue, waitForStatus } from '../../support/local-sandbox.js';
import { useLocalSandboxes } from '../../support/sandbox-hooks.js';

/**
 * Issue 15, point 7: an agent wrote `allowed_directories: ["/"]` through the control socket and its next
 * command ran in /etc. Settings changes and approvals on the control socket now need the executor's control
 * key and a caller outside every agent's process tree. The agent here tries every way it has: without the
 * key, with the key it read from MENTU_HOME (same user, no sandbox), from a grandchild, and from a process
 * that left its session with setsid (still a descendant). Linux: the peer is named through SO_PEERCRED.
 */
const ATTACK = `
const net = require('node:net');
const fs = require('node:fs');
const [socketPath, keyFile, out, label] = process.argv.slice(2);
const key = fs.existsSync(keyFile) ? fs.readFileSync(keyFile, 'utf8').trim() : undefined;
const call = (action, args, credential) => new Promise((resolve) => {
  const s = net.connect(socketPath);
  let buf = '';
  s.on('connect', () => s.write(JSON.stringify({ kind: 'call', id: 1, action, args, credential }) + '\\n'));
  s.on('data', (d) => { buf += d; if (buf.includes('\\n')) { s.destroy(); resolve(JSON.parse(buf)); } });
  s.on('error', (e) => resolve({ ok: false, error: String(e) }));
});
(async () => {
  const results = {
    settingsNoKey: await call('updateSettings', [{ allowedDirectories: ['/'] }]),
    settingsWithKey: await call('updateSettings', [{ allowedDirectories: ['/'] }], key),
    approveWithKey: await call('decideApproval', ['00000000-0000-4000-8000-000000000000', 'approved'], key),
  };
  fs.writeFileSync(out + '.' + label + '.json', JSON.stringify(results));
})();
`;

const local = useLocalSandboxes();

describe.runIf(process.platform === 'linux')('the control socket and what an agent can reach', () => {
  it("an agent's process tree cannot change settings or approve, with or without the key; the person's CLI can", async () => {
    const box = local.sandbox({ max_concurrent: 2, default_agent: 'attacker' });
    const out = join(box.root, 'attack');
    const socketPath = join(box.home, 'beacon.sock');
    const keyFile = join(box.home, 'control.key');
    const script = join(box.root, 'attack.cjs');
    writeFileSync(script, ATTACK);
    const node = process.execPath;
    const agentScript = [
      `"${node}" "${script}" "${socketPath}" "${keyFile}" "${out}" direct`,
      `sh -c '"${node}" "${script}" "${socketPath}" "${keyFile}" "${out}" grandchild'`,
      `setsid "${node}" "${script}" "${socketPath}" "${keyFile}" "${out}" setsid`,
    ].join('\n');
    const config = JSON.parse(readFileSync(join(box.home, 'beacon.yaml'), 'utf8')) as { agents: Record<string, unknown> };
    config.agents.attacker = { command: '/bin/sh', args: ['-c', agentScript, 'attacker', '{prompt}'], output: 'text' };
    writeFileSync(join(box.home, 'beacon.yaml'), JSON.stringify(config, null, 2));
    await local.start(box).ready;

    const id = enqueue(box, 'try to loosen the policy');
    const ran = await waitForStatus(box, id, ["completed", "failed"]);
    if (!existsSync(`${out}.direct.json`)) throw new Error(`the agent did not run its attempts: ${JSON.stringify(ran)} ${readFileSync(join(box.home, "logs", `${id}.log`), "utf8")}`);
    for (const label of ['direct', 'grandchild', 'setsid']) {
      const results = JSON.parse(readFileSync(`${out}.${label}.json`, 'utf8')) as Record<string, { ok: boolean; error?: string }>;
      expect(results.settingsNoKey, label).toMatchObject({ ok: false, error: expect.stringMatching(/^Refused: updateSettings needs the running executor's control key/) as unknown });
      expect(results.settingsWithKey, label).toMatchObject({ ok: false, error: expect.stringMatching(/^Refused: updateSettings was asked from an agent's process tree/) as unknown });
      expect(results.approveWithKey, label).toMatchObject({ ok: false, error: expect.stringMatching(/^Refused: decideApproval was asked from an agent's process tree/) as unknown });
    }
    expect(readFileSync(join(box.home, 'beacon.yaml'), 'utf8')).not.toContain('"/"');

    // The person, outside every agent: without the key refused, with it accepted.
    await expect(callExecutor(socketPath, 'updateSettings', [{ maxConcurrent: 3 }])).rejects.toThrow(/control key/);
    const key = readFileSync(keyFile, 'utf8').trim();
    const settings = (await callExecutor(socketPath, 'updateSettings', [{ maxConcurrent: 3 }], 10_000, key)) as { maxConcurrent: number };
    expect(settings.maxConcurrent).toBe(3);

    // And `beacon approve` (which reads the key) decides a command waiting for approval.
    const waiting = enqueue(box, 'needs approval', ['--agent', 'fake', '--on-approve', 'true']);
    await waitForStatus(box, waiting, ['awaiting_approval']);
    const approved = cli(box, ['approve', waiting]);
    expect(approved.status, approved.stderr).toBe(0);
    await waitForStatus(box, waiting, ['completed']);
    expect(existsSync(keyFile)).toBe(true);
  });
});
