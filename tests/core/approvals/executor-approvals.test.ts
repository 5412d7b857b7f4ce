import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalSource } from '../../../src-main/core/commands/local/index.js';
import { cli, enqueue, readRow, waitForStatus, type Sandbox } from '../../support/local-sandbox.js';
import { waitFor } from '../../support/wait.js';
import { useLocalSandboxes } from '../../support/sandbox-hooks.js';

/** Post-run approval through `beacon run` on the local queue, decided with `beacon approve|reject` (real processes). */

const local = useLocalSandboxes();

/** `beacon enqueue` has no approval flags; the queue's own enqueue (what the API's requeue uses) sets them. */
async function enqueueForApproval(s: Sandbox, prompt: string, onApprove: string | null): Promise<string> {
  const source = createLocalSource({ file: join(s.home, 'local.db'), machineId: 'test-enqueuer', defaultAgent: 'fake' });
  try {
    const command = await source.enqueue({ prompt, workingDirectory: s.work, approvalRequired: true, onApprove });
    return command.id;
  } finally {
    await source.stop();
  }
}

interface ApprovalRow {
  status: string;
  approval_status: string | null;
  exit_code: number | null;
  error_message: string | null;
  stdout_tail: string | null;
}
const approvalRow = (s: Sandbox, id: string) => readRow(s, id) as unknown as ApprovalRow;

describe('approval_required on the local queue', () => {
  it('waits in awaiting_approval; beacon approve runs on_approve in the same directory and its exit code is the result', async () => {
    const sandbox = local.sandbox({ max_concurrent: 1 });
    const s = sandbox;
    const executor = local.start(s);
    await executor.ready;
    const marker = join(s.root, 'on-approve-cwd');
    const id = await enqueueForApproval(s, 'make the change', `pwd > ${marker}; echo on-approve-said-hello; exit 7`);
    await waitForStatus(s, id, ['awaiting_approval'], 30_000);
    expect(approvalRow(s, id).approval_status).toBe('pending');
    // Nothing runs on_approve before the decision.
    await new Promise((r) => setTimeout(r, 500));
    expect(existsSync(marker)).toBe(false);

    const approved = cli(s, ['approve', id]);
    expect(approved.status).toBe(0);
    expect(approved.stdout).toContain(`Approved ${id}`);
    const row = await waitForStatus(s, id, ['completed', 'failed', 'timeout', 'cancelled'], 30_000);
    expect(row.status).toBe('failed');
    expect(row.exit_code).toBe(7);
    expect(row.error_message).toBe('on_approve exited with code 7');
    expect(approvalRow(s, id).stdout_tail).toContain('on-approve-said-hello');
    expect(readFileSync(marker, 'utf8').trim()).toBe(s.work);

    // A second decision on a finished command is refused with the reason.
    const again = cli(s, ['approve', id]);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain('not awaiting approval');
  });

  it('beacon reject ends the command failed "Command rejected by user" without running on_approve', async () => {
    const sandbox = local.sandbox();
    const s = sandbox;
    const executor = local.start(s);
    await executor.ready;
    const marker = join(s.root, 'must-not-exist');
    const id = await enqueueForApproval(s, 'risky change', `touch ${marker}`);
    await waitForStatus(s, id, ['awaiting_approval'], 30_000);
    const rejected = cli(s, ['reject', id]);
    expect(rejected.status).toBe(0);
    expect(rejected.stdout).toContain(`Rejected ${id}`);
    const row = await waitForStatus(s, id, ['completed', 'failed', 'timeout', 'cancelled'], 30_000);
    expect(row.status).toBe('failed');
    expect(row.error_message).toBe('Command rejected by user');
    expect(existsSync(marker)).toBe(false);
  });

  it('an approval given while the executor was down (killed while awaiting) runs on_approve once at the next start', async () => {
    const sandbox = local.sandbox();
    const s = sandbox;
    const first = local.start(s);
    await first.ready;
    const counter = join(s.root, 'on-approve-runs');
    const id = await enqueueForApproval(s, 'survive a restart', `echo ran >> ${counter}`);
    await waitForStatus(s, id, ['awaiting_approval'], 30_000);
    await waitFor('the approval record', () => existsSync(join(s.home, 'beacon-approvals.json')));
    first.child.kill('SIGKILL');
    await first.exited;

    const approved = cli(s, ['approve', id]);
    expect(approved.status).toBe(0);
    expect(approved.stdout).toContain('no executor is running');
    expect(approvalRow(s, id)).toMatchObject({ status: 'awaiting_approval', approval_status: 'approved' });

    const second = local.start(s);
    await second.ready;
    const row = await waitForStatus(s, id, ['completed', 'failed', 'timeout', 'cancelled'], 30_000);
    expect(row.status).toBe('completed');
    expect(row.exit_code).toBe(0);
    // Orphan recovery left it to the gate ("executor restarted" would have failed it).
    expect(second.stderr()).not.toContain(`orphan ${id}`);
    await new Promise((r) => setTimeout(r, 1000));
    expect(readFileSync(counter, 'utf8')).toBe('ran\n');
  });

  it('a command awaiting approval holds no run slot: max_concurrent 1 still runs the next command', async () => {
    const sandbox = local.sandbox({ max_concurrent: 1 });
    const s = sandbox;
    const executor = local.start(s);
    await executor.ready;
    const waiting = await enqueueForApproval(s, 'needs a person', null);
    await waitForStatus(s, waiting, ['awaiting_approval'], 30_000);
    const next = enqueue(s, 'an ordinary command');
    expect((await waitForStatus(s, next, ['completed', 'failed'], 30_000)).status).toBe('completed');
    expect(readRow(s, waiting)?.status).toBe('awaiting_approval');

    // Without on_approve, an approval completes the command with the agent's own result.
    expect(cli(s, ['approve', waiting]).status).toBe(0);
    const row = await waitForStatus(s, waiting, ['completed', 'failed', 'timeout', 'cancelled'], 30_000);
    expect(row.status).toBe('completed');
  });
});
