import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PermissionRequestView } from '../../../src-main/core/contract/permission-request.js';
import { startModelServer, toolResults, turn, type ModelServer } from '../../model-server/index.js';
import { cli, enqueue, makeSandbox, readRow, startExecutor, stopExecutor, waitForStatus, type ExecutorProcess, type Sandbox } from '../../support/local-sandbox.js';
import { useRealClaude, type ClaudeHome } from '../../support/real-claude.js';
import { waitFor } from '../../support/wait.js';

/**
 * The permission modes with the REAL claude CLI on the local queue, the model asking for Write then Bash:
 * acceptEdits lets the Write in the working directory through without a request and still asks for the Bash;
 * plan runs nothing; an answer can cover the rest of the command; a command may only ask for a stricter mode.
 */

let server: ModelServer;
let sandbox: Sandbox;
let claudeHome: ClaudeHome;
let executor: ExecutorProcess | null = null;

beforeAll(async () => {
  server = await startModelServer();
  sandbox = makeSandbox();
  claudeHome = useRealClaude(sandbox, server);
});
afterAll(async () => {
  await server.stop();
  sandbox.cleanup();
  claudeHome.cleanup();
});
afterEach(async () => {
  if (executor) await stopExecutor(executor);
  executor = null;
});

/** Sets agents.claude.permissions and starts the executor with it. */
async function startWith(permissions: Record<string, unknown>): Promise<void> {
  const file = join(sandbox.home, 'beacon.yaml');
  const config = parseYaml(readFileSync(file, 'utf8')) as { agents: { claude: Record<string, unknown> } };
  config.agents.claude.permissions = permissions;
  writeFileSync(file, stringifyYaml(config));
  executor = startExecutor(sandbox);
  await executor.ready;
}

/** `beacon requests --json`; the control socket opens just after the executor's ready line, so a refusal before it reads as none yet. */
const requests = (all = true): PermissionRequestView[] => {
  const result = cli(sandbox, ['requests', '--json', ...(all ? ['--all'] : [])]);
  if (result.status !== 0) return [];
  return JSON.parse(result.stdout) as PermissionRequestView[];
};
const pending = (tool: string) => waitFor(`a pending ${tool} request`, () => requests(false).find((r) => r.tool === tool), 60_000);
const bashMarker = (name: string) => `node -e "require('fs').writeFileSync('${name}', 'ran')"`;

describe('acceptEdits', () => {
  it('lets the Write in the working directory through without a request and still asks for the Bash', async () => {
    await startWith({ mode: 'acceptEdits', deny_unanswered_after_seconds: 120 });
    server.reset();
    const target = join(sandbox.work, 'edited.txt');
    const policy = readFileSync(join(sandbox.home, 'beacon.yaml'));
    server.script(
      turn.tool('Write', { file_path: target, content: 'no request needed\n' }),
      // Beacon's own deny rule: the agent's file tools never touch MENTU_HOME, in any mode, without asking anyone.
      turn.tool('Write', { file_path: join(sandbox.home, 'beacon.yaml'), content: 'agents: {}\n' }, { id: 'toolu_policy' }),
      turn.tool('Bash', { command: bashMarker('accept-bash.txt'), description: 'mark' }),
      turn.text('ok'),
    );
    const id = enqueue(sandbox, 'edit and run');
    const bash = await pending('Bash');
    expect(readFileSync(target, 'utf8')).toBe('no request needed\n');
    expect(requests().map((r) => r.tool)).toEqual(['Bash']);
    expect(cli(sandbox, ['allow', bash.id]).stdout).toContain('Allowed Bash');
    const row = await waitForStatus(sandbox, id, ['completed', 'failed'], 60_000);
    expect(row.status).toBe('completed');
    expect(row.error_message).toBeNull();
    expect(readFileSync(join(sandbox.work, 'accept-bash.txt'), 'utf8')).toBe('ran');
    expect(JSON.parse(row.summary!)).toMatchObject({ permissionRequests: { asked: 1, allowed: 1, denied: 0 } });
    expect(readFileSync(join(sandbox.home, 'beacon.yaml')).equals(policy)).toBe(true);
    expect(toolResults(server.messageRequests()[2]!)[0]).toMatchObject({ toolUseId: 'toolu_policy', isError: true, text: expect.stringContaining('denied by your permission settings') as unknown });
  });
});

describe('plan', () => {
  it('runs nothing: no file, no command, no request to answer; the refusals are in the result', async () => {
    await startWith({ mode: 'plan' });
    server.reset();
    const target = join(sandbox.work, 'planned.txt');
    server.script(
      turn.tool('Write', { file_path: target, content: 'x\n' }, { id: 'toolu_plan_w' }),
      turn.tool('Bash', { command: bashMarker('plan-bash.txt'), description: 'mark' }, { id: 'toolu_plan_b' }),
      turn.text('planned only'),
    );
    const id = enqueue(sandbox, 'plan it');
    const row = await waitForStatus(sandbox, id, ['completed', 'failed'], 60_000);
    expect(row.status).toBe('completed');
    expect(existsSync(target)).toBe(false);
    expect(existsSync(join(sandbox.work, 'plan-bash.txt'))).toBe(false);
    expect(requests()).toEqual([]);
    expect(toolResults(server.messageRequests()[1]!)[0]).toMatchObject({ toolUseId: 'toolu_plan_w', isError: true, text: expect.stringContaining('plan mode') as unknown });
    expect(toolResults(server.messageRequests()[2]!)[0]).toMatchObject({ toolUseId: 'toolu_plan_b', isError: true });
    expect(row.error_message).toMatch(/^completed; 2 tool uses were refused: Write .*planned\.txt, Bash /);
    expect(executor!.stderr()).toContain(`${id}: permission mode plan (permissions), nothing runs`);
  });
});

describe('default', () => {
  it('"allow for this command" covers the later uses of the same tool; a denial with words reaches the model; a command asking for plan gets plan', async () => {
    await startWith({ mode: 'default', deny_unanswered_after_seconds: 120 });
    server.reset();
    server.script(
      turn.tool('Bash', { command: bashMarker('first.txt'), description: 'first' }, { id: 'toolu_b1' }),
      turn.tool('Bash', { command: bashMarker('second.txt'), description: 'second' }, { id: 'toolu_b2' }),
      turn.tool('Write', { file_path: join(sandbox.work, 'denied.txt'), content: 'x\n' }, { id: 'toolu_w' }),
      turn.text('ok'),
    );
    const id = enqueue(sandbox, 'run twice, then write');
    const first = await pending('Bash');
    expect(cli(sandbox, ['allow', first.id.slice(0, 6), '--for-command']).stdout).toContain('Allowed Bash');
    const write = await pending('Write');
    expect(readFileSync(join(sandbox.work, 'second.txt'), 'utf8')).toBe('ran');
    expect(requests().filter((r) => r.tool === 'Bash').map((r) => [r.state, r.answer?.message ?? null])).toEqual([
      ['allowed', null],
      ['allowed', 'allowed for the rest of this command by the CLI'],
    ]);
    expect(cli(sandbox, ['deny', write.id, '--message', 'keep the tree clean']).stdout).toContain('Denied Write');
    const row = await waitForStatus(sandbox, id, ['completed', 'failed'], 60_000);
    expect(existsSync(join(sandbox.work, 'denied.txt'))).toBe(false);
    expect(toolResults(server.messageRequests()[3]!)[0]).toMatchObject({ toolUseId: 'toolu_w', isError: true, text: 'Denied by the CLI: keep the tree clean' });
    expect(row.error_message).toBe(`completed; 1 request denied (by the CLI): Write ${join(sandbox.work, 'denied.txt')}`);
    expect(cli(sandbox, ['show', id]).stdout).toContain('requests:   3 asked, 2 allowed, 1 denied');
    const shown = cli(sandbox, ['requests', '--all']).stdout;
    expect(shown).toContain('denied: answered by the CLI');
    expect(shown).toContain('keep the tree clean');

    // A command may ask for plan (stricter), not for acceptEdits (looser).
    server.reset();
    server.script(turn.tool('Write', { file_path: join(sandbox.work, 'strict.txt'), content: 'x\n' }), turn.text('ok'));
    const strict = enqueue(sandbox, 'strict', ['--flag', '--permission-mode', '--flag', 'plan']);
    await waitForStatus(sandbox, strict, ['completed', 'failed'], 60_000);
    expect(existsSync(join(sandbox.work, 'strict.txt'))).toBe(false);
    expect(executor!.stderr()).toContain(`${strict}: permission mode plan (command), nothing runs`);
    const looser = cli(sandbox, ['enqueue', '--flag', '--permission-mode', '--flag', 'acceptEdits', '--', 'looser']);
    expect(looser.status).toBe(2);
    expect(looser.stderr).toContain('"--permission-mode acceptEdits" refused: this machine\'s policy is default');
    expect(readRow(sandbox, strict)?.status).toBe('completed');
  });
});
