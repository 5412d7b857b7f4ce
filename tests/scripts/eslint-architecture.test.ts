import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, expect, it } from 'vitest';
import architecture from '../../scripts/eslint-architecture.mjs';

/**
 * Issue 13: the lint rules that keep the house's shape fail on an import that runs up a layer, crosses shells or
 * closes a circle (and pass the same files without it). Run over a small tree of its own, laid out like src-main.
 */
const root = mkdtempSync(join(tmpdir(), 'beacon-lint-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, 'tree-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function problems(dir: string, file: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, plugins: { beacon: architecture }, rules: { 'beacon/layers': 'error', 'beacon/no-cycle': 'error' } }],
  });
  const [result] = await eslint.lintFiles([join(dir, file)]);
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the architecture lint rules', () => {
  it('refuse an import that runs up a layer, and accept one that runs down', async () => {
    const dir = tree({
      'src-main/core/api/actions.ts': "import type { View } from '../contract/view.js';\nexport const act = (v: View) => v;\n",
      'src-main/core/contract/view.ts': 'export type View = { a: number };\n',
      'src-main/core/contract/wrong.ts': "import { act } from '../api/actions.js';\nexport const used = act;\n",
    });
    expect(await problems(dir, 'src-main/core/api/actions.ts')).toEqual([]);
    expect(await problems(dir, 'src-main/core/contract/wrong.ts')).toEqual([
      "beacon/layers: '../api/actions.js' runs up a layer: contract may not import api. Move the shared piece down (contract/ for types) or pass it in.",
    ]);
  });

  it('refuse an import from one shell into the other', async () => {
    const dir = tree({
      'src-main/electron/tray.ts': "import { run } from '../cli/run.js';\nexport const tray = run;\n",
      'src-main/cli/run.ts': 'export const run = 1;\n',
    });
    expect(await problems(dir, 'src-main/electron/tray.ts')).toEqual(["beacon/layers: '../cli/run.js' crosses shells: the CLI and the Electron shell each import only the core."]);
  });

  it('refuse an import that closes a circle within one layer', async () => {
    const dir = tree({
      'src-main/core/lock/record.ts': "import { lock } from './lock.js';\nexport const record = () => lock;\n",
      'src-main/core/lock/lock.ts': "import { record } from './record.js';\nexport const lock = () => record;\n",
      'src-main/core/lock/free.ts': "import { lock } from './lock.js';\nexport const free = lock;\n",
    });
    expect((await problems(dir, 'src-main/core/lock/record.ts')).filter((p) => p.startsWith('beacon/no-cycle'))).toHaveLength(1);
    expect(await problems(dir, 'src-main/core/lock/free.ts')).toEqual([]);
  });
});
