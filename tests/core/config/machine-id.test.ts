import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadConfig } from '../../../src-main/core/config/load.js';
import { configSchema } from '../../../src-main/core/config/schema.js';
import { runCli } from '../../support/cli.js';
import { cleanupTempHomes, tempHome, type TempHome } from '../../support/temp-home.js';

let home: TempHome;
afterEach(() => cleanupTempHomes());

async function statusMachineId(env: NodeJS.ProcessEnv): Promise<string> {
  const result = await runCli(['status', '--json'], { env: env });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return (JSON.parse(result.stdout) as { machine: { id: string } }).machine.id;
}

describe('the persistent machine id', () => {
  it('is written on the first start and survives restarts and a renamed host', async () => {
    home = tempHome({ BEACON_HOSTNAME: 'Alpha-Mac.local' });
    expect(await statusMachineId(home.env)).toBe('beacon-alpha-mac');
    const written = readFileSync(home.paths.config, 'utf8');

    expect(await statusMachineId(home.env)).toBe('beacon-alpha-mac');
    expect(await statusMachineId({ ...home.env, BEACON_HOSTNAME: 'renamed-box' })).toBe('beacon-alpha-mac');
    const inProcess = await loadConfig(home.paths, { ...home.env, BEACON_HOSTNAME: 'third-name' });
    expect(inProcess.machineId).toBe('beacon-alpha-mac');
    expect(readFileSync(home.paths.config, 'utf8')).toBe(written);
  });

  it('8 processes starting for the first time at once agree on one id and leave one valid file', async () => {
    home = tempHome();
    // Each process sees a different hostname, so any lost race would show up as a different id.
    const hostnames = Array.from({ length: 8 }, (_, i) => `racer-host-${i}`);
    const ids = await Promise.all(hostnames.map((h) => statusMachineId({ ...home.env, BEACON_HOSTNAME: h })));
    expect(new Set(ids).size).toBe(1);
    const id = ids[0] as string;
    expect(hostnames.map((h) => `beacon-${h}`)).toContain(id);

    const text = readFileSync(home.paths.config, 'utf8');
    const doc = parseDocument(text);
    expect(doc.errors).toEqual([]);
    const config = configSchema.parse(doc.toJS());
    expect(config.machine.id).toBe(id);
    expect(text.match(/^\s+id: /gm)).toHaveLength(1);
    // No temp files or mutex folders left behind.
    expect(readdirSync(home.home).sort()).toEqual(['beacon.yaml']);
    // Later starts keep it.
    expect(await statusMachineId({ ...home.env, BEACON_HOSTNAME: 'someone-else' })).toBe(id);
  });
});
