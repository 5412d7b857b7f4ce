import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LoadedConfig } from '../../../src-main/core/config/load.js';
import { configSchema } from '../../../src-main/core/config/schema.js';
import { startAgentHealth } from '../../../src-main/core/executor/agent-health.js';
import { recordingLogger } from '../../support/recording-logger.js';

/** The agent health monitor says in the log only what the executor's own start-up check does not (one line per fact). */
const dir = mkdtempSync(join(tmpdir(), 'beacon-health-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loadedWith(command: string): LoadedConfig {
  const config = configSchema.parse({ machine: { id: 'beacon-me' }, execution: { default_agent: 'tool' }, agents: { tool: { command } } });
  return { config, path: join(dir, 'beacon.yaml') } as LoadedConfig;
}

async function warningsFor(command: string): Promise<string[]> {
  const logger = recordingLogger();
  const loaded = loadedWith(command);
  const health = startAgentHealth({ loaded: () => loaded, agentEnv: () => ({ PATH: '/usr/bin:/bin' }), env: { BEACON_LOGIN_SHELL: '0' }, logger, onChange: () => {} });
  await health.refreshNow();
  health.stop();
  expect(health.current()).not.toBeNull();
  return logger.warnings.map((w) => w.message);
}

describe('agent health in the log', () => {
  it('an agent that is not found is left to the executor\'s own warning (not said twice)', async () => {
    expect(await warningsFor('no-such-agent-anywhere')).toEqual([]);
  });

  it('an agent found but failing its --version probe is said, once', async () => {
    const broken = join(dir, 'broken');
    writeFileSync(broken, '#!/bin/sh\necho nope >&2\nexit 3\n');
    chmodSync(broken, 0o755);
    const warnings = await warningsFor(broken);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/--version failed/);
  });
});
