import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, updateConfig } from '../../../src-main/core/config/load.js';
import { cleanupTempHomes, tempHome } from '../../support/temp-home.js';

/**
 * Issue 15, point 8: a beacon.yaml that is a symlink (kept in a dotfiles repository) is written through,
 * never replaced by a plain file: by the first start (machine id) and by a settings change.
 */
afterEach(cleanupTempHomes);

describe('beacon.yaml as a symlink', () => {
  it('the first start and a settings change write to the file it points to; the link stays', async () => {
    const world = tempHome();
    const dotfiles = join(world.home, 'dotfiles');
    mkdirSync(dotfiles);
    const real = join(dotfiles, 'beacon.yaml');
    writeFileSync(real, '# mine, from my dotfiles\nexecution:\n  max_concurrent: 2\n');
    symlinkSync('dotfiles/beacon.yaml', world.paths.config);

    const loaded = await loadConfig(world.paths, world.env); // writes machine.id on first start
    expect(loaded.machineId).toMatch(/^beacon-/);
    await updateConfig(world.paths, [{ path: ['execution', 'max_concurrent'], value: 4 }]);

    expect(lstatSync(world.paths.config).isSymbolicLink()).toBe(true);
    const text = readFileSync(real, 'utf8');
    expect(text).toContain('# mine, from my dotfiles');
    expect(text).toContain('max_concurrent: 4');
    expect(text).toContain(`id: ${loaded.machineId}`);
  });
});
