import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** The macOS pipeline kept in the repository: what it must go through, in order. */
interface Step {
  name?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
const workflow = parse(readFileSync('.github/workflows/macos.yml', 'utf8')) as {
  jobs: Record<string, { 'runs-on': string; env?: Record<string, string>; steps: Step[] }>;
};
const readme = readFileSync('README.md', 'utf8');

describe('.github/workflows/macos.yml', () => {
  const job = Object.values(workflow.jobs)[0]!;
  const runs = job.steps.map((step) => step.run ?? step.uses ?? '');
  const index = (pattern: RegExp) => runs.findIndex((run) => pattern.test(run));

  it('runs on a macOS runner and installs with the Electron binary', () => {
    expect(job['runs-on']).toMatch(/^macos-/);
    expect(JSON.stringify(workflow)).not.toContain('ELECTRON_SKIP_BINARY_DOWNLOAD');
    expect(index(/^npm ci$/)).toBeGreaterThan(-1);
  });

  it('install → the README’s test command → dist:mac → back to Node’s ABI → the Electron end-to-end test, required', () => {
    const testCommand = /^npm test\b/m.exec(readme)?.[0];
    expect(testCommand).toBe('npm test');
    const order = [index(/^npm ci$/), index(/^npm test$/), index(/^npm run dist:mac$/), index(/^npm run rebuild:node$/), index(/app-e2e\.test\.ts/)];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const e2e = job.steps[index(/app-e2e\.test\.ts/)]!;
    expect(e2e.run).toContain('packaged-app.test.ts');
    expect(e2e.env).toMatchObject({ BEACON_E2E_REQUIRED: '1' });
  });

  it('builds unsigned and keeps the dmg and zip as artifacts', () => {
    expect(job.env).toMatchObject({ CSC_IDENTITY_AUTO_DISCOVERY: 'false' });
    const upload = job.steps.find((step) => step.uses?.startsWith('actions/upload-artifact') && step.with?.path?.includes('.dmg'));
    expect(upload?.with?.path).toMatch(/release\/\*\.dmg[\s\S]*release\/\*\.zip/);
    expect(upload?.with?.['if-no-files-found']).toBe('error');
  });
});
