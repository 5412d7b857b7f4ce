import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../../src-main/core/approvals/line-diff.js';
import { DETAIL_CHARS, describeToolInput } from '../../../src-main/core/approvals/request-summary.js';

/** What a person reads before answering: the file and its diff, the command, bounded, and nothing read from outside the working directory. */

let dir: string;
let cwd: string;
let mentuHome: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'beacon-summary-')));
  cwd = join(dir, 'work');
  mentuHome = join(cwd, '.mentu'); // a working directory that contains MENTU_HOME (cwd = ~)
  mkdirSync(mentuHome, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('unifiedDiff', () => {
  it('shows changed lines with three lines of context and hunk headers', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const after = before.replace('line 10\n', 'line ten\n').replace('line 19\n', '');
    expect(unifiedDiff(before, after, 'f.txt')).toBe(
      // Two changes more than 2 × 3 context lines apart make two hunks.
      ['--- f.txt', '+++ f.txt', '@@ -7,7 +7,7 @@', ' line 7', ' line 8', ' line 9', '-line 10', '+line ten', ' line 11', ' line 12', ' line 13',
        '@@ -16,5 +16,4 @@', ' line 16', ' line 17', ' line 18', '-line 19', ' line 20'].join('\n'),
    );
    expect(unifiedDiff('', 'a\nb\n', 'new.txt')).toBe('--- /dev/null\n+++ new.txt\n@@ -1,0 +1,2 @@\n+a\n+b');
  });
});

describe('describeToolInput', () => {
  it('Write inside the working directory: the diff against the file as it is now', () => {
    writeFileSync(join(cwd, 'a.txt'), 'one\ntwo\n');
    const text = describeToolInput('Write', { file_path: join(cwd, 'a.txt'), content: 'one\n2\n' }, { cwd, mentuHome });
    expect(text.summary).toBe(join(cwd, 'a.txt'));
    expect(text.detail).toContain(' one\n-two\n+2');
  });

  it('Edit: the replacement applied to the file; outside the working directory, MENTU_HOME or through a symlink out, the file is not read', () => {
    writeFileSync(join(cwd, 'b.ts'), 'const a = 1;\nconst b = 2;\n');
    expect(describeToolInput('Edit', { file_path: join(cwd, 'b.ts'), old_string: 'const b = 2;', new_string: 'const b = 3;' }, { cwd, mentuHome }).detail).toContain(
      ' const a = 1;\n-const b = 2;\n+const b = 3;',
    );
    writeFileSync(join(dir, 'secret.txt'), 'TOP SECRET\n');
    writeFileSync(join(mentuHome, 'credentials'), '{"refresh_token":"r1"}\n');
    symlinkSync(join(dir, 'secret.txt'), join(cwd, 'link.txt'));
    for (const path of [join(dir, 'secret.txt'), join(mentuHome, 'credentials'), join(cwd, 'link.txt')]) {
      const edit = describeToolInput('Edit', { file_path: path, old_string: 'x', new_string: 'y' }, { cwd, mentuHome });
      expect(edit.detail, path).toContain('outside the working directory');
      expect(edit.detail).not.toMatch(/TOP SECRET|refresh_token/);
      const written = describeToolInput('Write', { file_path: path, content: 'z\n' }, { cwd, mentuHome });
      expect(written.detail).not.toMatch(/TOP SECRET|refresh_token/);
      expect(written.detail).toContain('+z');
    }
  });

  it('Bash: the command in one line and in full with its description; other tools their input; everything bounded', () => {
    const bash = describeToolInput('Bash', { command: 'npm test \\\n  --watch=false', description: 'run the tests' }, { cwd, mentuHome });
    expect(bash).toEqual({ summary: 'npm test \\ --watch=false', detail: 'npm test \\\n  --watch=false\n\n# run the tests' });
    expect(describeToolInput('WebFetch', { url: 'https://example.com', prompt: 'read it' }, { cwd, mentuHome })).toEqual({ summary: 'https://example.com', detail: 'read it' });
    expect(describeToolInput('mcp__x__y', { a: 1 }, { cwd, mentuHome })).toEqual({ summary: '{ "a": 1 }', detail: '{\n  "a": 1\n}' });
    const huge = describeToolInput('Bash', { command: 'x'.repeat(100_000) }, { cwd, mentuHome });
    expect(huge.summary.length).toBeLessThanOrEqual(240);
    expect(huge.detail!.length).toBeLessThan(DETAIL_CHARS + 100);
  });
});
