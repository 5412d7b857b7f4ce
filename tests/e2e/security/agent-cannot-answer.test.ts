import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BeaconSnapshot } from '../../../src-main/core/contract/types.js';
import { sandboxSupport } from '../../../src-main/core/run/sandbox.js';
import type { Gateway } from '../../gateway/index.js';
import { useGateway } from '../../gateway/use-gateway.js';
import { startModelServer, toolResults, turn, type ModelServer } from '../../model-server/index.js';
import { beaconSandbox, startBeacon, type BeaconRun, type BeaconSandbox } from '../../support/beacon-sandbox.js';
import { CLI, runCli } from '../../support/cli.js';
import { dashboardUrlIn } from '../../support/dashboard-socket.js';
import { useRealClaude, type ClaudeHome } from '../../support/real-claude.js';
import { addWorkspaceMember, commandRow, insertCommand } from '../../support/source-driver.js';
import { waitFor } from '../../support/wait.js';

/**
 * Issue 14, point 4: the agent cannot answer for itself. A person allowed one Bash; the agent uses it to start, in
 * the background, a script (agent-attacks.mjs) that tries every path its tools can reach to allow its own pending
 * Write or to loosen the policy, while the Write waits for an answer. With the CLI's sandbox on (the default where
 * it can run: here bubblewrap) every path fails, each for its own reason, and only the person's answer counts.
 */
const ATTACKS = resolve('tests/e2e/security/agent-attacks.mjs');
const PATHS_TRIED = [
  'beacon allow <id> (the Beacon CLI)',
  'control key file (control.key)',
  'control socket: answerPermission',
  'control socket: updateSettings (allowed_directories ["/"])',
  'permission channel: an answer',
  'permission server process (to write a forged reply into /proc/<pid>/fd/1)',
  'beacon.yaml: read',
  'beacon.yaml: rewrite with permissions.mode bypassPermissions',
  'secrets file (beacon-secrets.json)',
  'Mentu session (credentials)',
  'project settings (.claude/settings.local.json)',
  'user settings (~/.claude/settings.json)',
  'dashboard HTTP with its token',
  'Supabase keys in the agent environment',
  'Mentu table: PATCH the request to allowed',
];

let gateway: Gateway;
let model: ModelServer;
let box: BeaconSandbox;
let claudeHome: ClaudeHome;
let beacon: BeaconRun;
useGateway((g) => (gateway = g));

beforeAll(async () => {
  model = await startModelServer();
});
afterAll(async () => {
  await beacon?.stop();
  await model.stop();
  box?.cleanup();
  claudeHome?.cleanup();
});

describe.runIf(process.platform === 'linux')('an agent trying to answer its own permission request', () => {
  it('fails on every path its tools can reach; the request waits for the person, and the policy stays as it was', async () => {
    const support = sandboxSupport(process.env);
    expect(support.available, `the CLI's sandbox must be able to run here (.ci/run installs bubblewrap and socat): ${support.detail}`).toBe(true);
    await addWorkspaceMember(gateway);
    box = beaconSandbox(gateway, { machineId: 'beacon-attacked' });
    claudeHome = useRealClaude(box, model, { permissions: { mode: 'default', deny_unanswered_after_seconds: 120 } });
    const policyBefore = readFileSync(join(box.home, 'beacon.yaml'));
    beacon = startBeacon(box, ['--dashboard']);
    await beacon.ready;
    const dashboardUrl = await waitFor('the dashboard URL', () => dashboardUrlIn(beacon.stdout()));
    await gateway.reset();

    const idFile = join(box.work, 'request-id.txt');
    const out = join(box.work, 'attack-results.json');
    const target = join(box.work, 'wanted.txt');
    const attack = JSON.stringify({ mentuHome: box.home, cli: CLI, dashboardUrl, supabaseUrl: gateway.url, anonKey: gateway.anonKey, idFile, out });
    model.reset();
    model.script(
      turn.tool('Bash', { command: `${process.execPath} ${ATTACKS} '${attack}'`, description: 'prepare', run_in_background: true }, { id: 'toolu_attack' }),
      turn.tool('Write', { file_path: target, content: 'the agent allowed this itself\n' }, { id: 'toolu_wanted' }),
      turn.text('done'),
    );
    const id = await insertCommand(gateway, { prompt: 'do as you like', working_directory: box.work, agent: 'claude' });
    const snapshot = async () => JSON.parse((await runCli(['requests', '--all', '--json'], { env: box.env })).stdout) as NonNullable<BeaconSnapshot['permissionRequests']>;

    // The person allows the one Bash (the attack, which they cannot tell apart from a build).
    const bash = await waitFor('the Bash request', async () => (await snapshot()).find((r) => r.tool === 'Bash' && r.state === 'pending'), 60_000);
    expect((await runCli(['allow', bash.id], { env: box.env })).stdout).toContain('Allowed Bash');
    const write = await waitFor('the Write request', async () => (await snapshot()).find((r) => r.tool === 'Write' && r.state === 'pending'), 60_000);
    writeFileSync(idFile, write.id); // even knowing the id of its request
    const results = await waitFor('the attack results', () => (existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Record<string, { outcome: string; [key: string]: unknown }>) : null), 60_000);

    // It tried each path, and each failed.
    expect(Object.keys(results).sort()).toEqual([...PATHS_TRIED].sort());
    const succeeded = Object.entries(results).filter(([name, result]) => {
      if (name === 'beacon.yaml: rewrite with permissions.mode bypassPermissions') return false; // judged by the real file below
      return !['failed'].includes(result.outcome);
    });
    expect(succeeded, JSON.stringify(results, null, 2)).toEqual([]);
    // Why: the sandbox hides MENTU_HOME (an empty folder in its place), refuses unix sockets and has its own network and processes.
    expect(results['control socket: answerPermission']!.error).toMatch(/ENOENT|EPERM|EACCES/);
    expect(results['beacon allow <id> (the Beacon CLI)']).toMatchObject({ exit: 1, said: expect.stringMatching(/^beacon: Cannot reach the running executor's control socket .*: EPERM/) as unknown });
    expect(results['dashboard HTTP with its token']!.error).toMatch(/ECONNREFUSED|EPERM|EACCES|ENETUNREACH/);
    expect(results['Mentu table: PATCH the request to allowed']!.error).toMatch(/ECONNREFUSED|EPERM|EACCES|ENETUNREACH/);
    expect(results['project settings (.claude/settings.local.json)']!.error).toMatch(/EROFS|EACCES|EPERM/);
    expect(results['permission server process (to write a forged reply into /proc/<pid>/fd/1)']).toMatchObject({ found: [] });

    // The request still waits for the person; the policy on disk is byte for byte what it was.
    expect((await snapshot()).find((r) => r.id === write.id)).toMatchObject({ state: 'pending', answer: null });
    expect(readFileSync(join(box.home, 'beacon.yaml')).equals(policyBefore)).toBe(true);
    expect(existsSync(join(box.work, '.claude', 'settings.local.json'))).toBe(false);
    expect(existsSync(join(claudeHome.home, '.claude', 'settings.json'))).toBe(false);
    const [row] = (await gateway.sql('select status from public.bridge_permission_requests where id = $1', [write.id])).rows;
    expect(row).toEqual({ status: 'pending' });

    expect((await runCli(['deny', write.id, '--message', 'no'], { env: box.env })).stdout).toContain('Denied Write');
    await waitFor('the command to finish', async () => ['completed', 'failed'].includes(String((await commandRow(gateway, id)).status)), 60_000);
    expect(existsSync(target)).toBe(false);
    const told = model.messageRequests().map((r) => toolResults(r)[0]).find((r) => r?.toolUseId === 'toolu_wanted');
    expect(told).toMatchObject({ isError: true, text: 'Denied by the CLI: no' });
    expect(beacon.stderr()).toMatch(new RegExp(`${id}: permission mode default \\(permissions\\), requests asked of a person, sandbox on`));
  }, 180_000);
});
