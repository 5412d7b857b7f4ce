import { afterEach, describe, expect, it } from 'vitest';
import { runCliSync } from '../support/cli.js';
import { makeSandbox, startExecutor, stopExecutor, type ExecutorProcess } from '../support/local-sandbox.js';
import { useRealClaude } from '../support/real-claude.js';
import { callExecutor } from '../../src-main/cli/control/client.js';
import type { BeaconSnapshot } from '../../src-main/core/contract/types.js';
import { buildTrayModel } from '../../src-main/electron/tray-model.js';
import { waitFor } from '../support/wait.js';

/** bypassPermissions is said loudly: by `beacon doctor`, at the executor's start, and in the snapshot the tray and the window show. */

interface Check { name: string; level: string; detail: string; fix: string | null }
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a policy that asks nothing', () => {
  it('doctor warns (and, as root without IS_SANDBOX, says every run would fail); the executor logs it; the tray menu and the window carry it', async () => {
    const sandbox = makeSandbox();
    const claudeHome = useRealClaude(sandbox, { url: 'http://127.0.0.1:9' }, { permissions: { mode: 'bypassPermissions' } });
    cleanups.push(() => sandbox.cleanup(), () => claudeHome.cleanup());

    const result = runCliSync(['doctor', '--json'], { env: sandbox.env, cwd: sandbox.work });
    const checks = (JSON.parse(result.stdout) as { checks: Check[] }).checks.filter((check) => check.name === 'agent claude permissions');
    expect(checks[0]).toMatchObject({ level: 'warning', detail: expect.stringContaining('runs with bypassPermissions: NOTHING IS ASKED') as unknown });
    if (process.getuid?.() === 0) {
      expect(checks[1]).toMatchObject({ level: 'problem', detail: expect.stringContaining('unless IS_SANDBOX=1') as unknown });
      expect(result.status).toBe(1);
    }

    const executor: ExecutorProcess = startExecutor(sandbox);
    cleanups.push(() => stopExecutor(executor));
    await executor.ready;
    expect(executor.stderr()).toContain('runs with bypassPermissions: NOTHING IS ASKED');
    // The control socket opens just after the ready line.
    const snapshot = await waitFor('the control socket', () => callExecutor(`${sandbox.home}/beacon.sock`, 'getSnapshot', []).then((value) => value as BeaconSnapshot, () => null));
    expect(snapshot.permissionWarnings?.[0]).toContain('NOTHING IS ASKED');
    const menu = buildTrayModel({ snapshot, launchAtLogin: { supported: false, enabled: false } }).menu;
    expect(menu.some((item) => item.kind === 'label' && item.label.startsWith('⚠ Agent "claude" runs with bypassPermissions'))).toBe(true);
  });
});
