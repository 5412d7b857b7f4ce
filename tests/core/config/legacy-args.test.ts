import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src-main/core/config/load.js';
import { renderDefaultConfig } from '../../../src-main/core/config/default-file.js';
import { DEFAULT_CLAUDE_ARGS, LEGACY_CLAUDE_ARGS } from '../../../src-main/core/config/schema.js';
import { cleanupTempHomes, tempHome } from '../../support/temp-home.js';

afterEach(() => cleanupTempHomes());

/** The beacon.yaml Beacon wrote before the prompt moved after "--": the same file with the earlier args. */
function legacyFile(): string {
  const current = renderDefaultConfig({ machineId: 'beacon-test', machineName: 'test' });
  const flow = `[${DEFAULT_CLAUDE_ARGS.map((a) => JSON.stringify(a)).join(', ')}]`;
  const legacy = `[${LEGACY_CLAUDE_ARGS.map((a) => JSON.stringify(a)).join(', ')}]`;
  expect(current).toContain(flow);
  return current.replace(flow, legacy).replace('  claude:\n', '  # my own note about claude\n  claude:\n');
}

describe('agent args of the earlier default', () => {
  it('are upgraded in place on load: the prompt after "--", every comment kept, nothing else changed', async () => {
    const home = tempHome();
    const before = legacyFile();
    writeFileSync(home.paths.config, before);

    const loaded = await loadConfig(home.paths, home.env);

    expect(loaded.config.agents.claude!.args).toEqual(DEFAULT_CLAUDE_ARGS);
    expect(loaded.argsUpgrade).toEqual({ upgraded: ['claude'], failed: null });
    const after = readFileSync(home.paths.config, 'utf8');
    expect(after).toContain('# my own note about claude');
    expect(after).toContain('upgraded by Beacon: options first, then "--", then the prompt');
    const changed = after.split('\n').filter((line, i) => line !== before.split('\n')[i]);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(/^ {4}args: \["-p", "--output-format", "stream-json", "--verbose", "--", "\{prompt\}"\] #/);

    const again = await loadConfig(home.paths, home.env);
    expect(again.argsUpgrade).toBeUndefined();
    expect(readFileSync(home.paths.config, 'utf8')).toBe(after);
  });

  it('a block-style list stays block style', async () => {
    const home = tempHome();
    writeFileSync(home.paths.config, `machine:\n  id: beacon-x\nagents:\n  claude:\n    command: claude\n    args:\n${LEGACY_CLAUDE_ARGS.map((a) => `      - "${a}"`).join('\n')}\n    output: stream-json\n`);
    await loadConfig(home.paths, home.env);
    expect(readFileSync(home.paths.config, 'utf8')).toContain('      - "--"\n      - "{prompt}"');
  });

  // As root a folder's mode does not stop a write: tests/cli/doctor-agent.test.ts runs this case as another user.
  it.skipIf(process.getuid?.() === 0)('a file Beacon cannot write is left alone and says why (the argv is corrected at run time instead)', async () => {
    const home = tempHome();
    writeFileSync(home.paths.config, legacyFile());
    chmodSync(home.home, 0o500);
    try {
      const loaded = await loadConfig(home.paths, home.env);
      expect(loaded.config.agents.claude!.args).toEqual(LEGACY_CLAUDE_ARGS);
      expect(loaded.argsUpgrade?.failed).toMatch(/EACCES|permission/i);
    } finally {
      chmodSync(home.home, 0o700);
    }
  });

  it('a hand-edited profile is not rewritten', async () => {
    const home = tempHome();
    const text = `machine:\n  id: beacon-x\nagents:\n  claude:\n    command: claude\n    args: ["-p", "{prompt}", "--model", "opus"]\n`;
    writeFileSync(home.paths.config, text);
    const loaded = await loadConfig(home.paths, home.env);
    expect(loaded.argsUpgrade).toBeUndefined();
    expect(readFileSync(home.paths.config, 'utf8')).toBe(text);
  });
});
