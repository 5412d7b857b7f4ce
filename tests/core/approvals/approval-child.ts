/**
 * A Beacon stand-in for the restart test: claims one command from the gateway, runs "successfully",
 * enters awaiting_approval and waits, until the test kills it with SIGKILL.
 * argv: <gateway url> <service key> <workspace id> <machine id> <MENTU_HOME> <outbox dir>
 */
import { createSupabaseSource } from '../../../src-main/core/commands/supabase/index.js';
import { silentLogger } from '../../../src-main/core/logger.js';
import { mentuPaths } from '../../../src-main/core/paths.js';
import { ApprovalGate, approvalPortFromSource } from '../../../src-main/core/approvals/gate.js';
import { ApprovalStore } from '../../../src-main/core/approvals/store.js';

const [url, key, workspaceId, machineId, home, outboxDir] = process.argv.slice(2) as [string, string, string, string, string, string];

async function main(): Promise<void> {
  const source = createSupabaseSource({
    url,
    auth: { kind: 'service_role', key },
    workspaceIds: [workspaceId],
    primaryWorkspaceId: workspaceId,
    machineId,
    machineName: 'Approval child',
    hostname: 'child-host',
    pollSeconds: 2,
    heartbeatSeconds: 1,
    outboxDir,
    maxOutputBytes: 64 * 1024,
    logger: silentLogger,
  });
  await source.start({ machineId, agents: ['claude'], workspaceIds: [workspaceId] }, {
    onWake: () => {},
    onCancelled: () => {},
    onCommandChanged: () => {},
    onStatus: () => {},
  });
  const command = await source.claimNext(() => ({ ok: true }));
  if (!command) throw new Error('nothing to claim');
  const startedAt = new Date().toISOString();
  await source.markRunning(command.id, startedAt);
  const gate = new ApprovalGate({
    port: approvalPortFromSource(source),
    store: new ApprovalStore(mentuPaths({ MENTU_HOME: home }).approvals),
    source: 'supabase',
    pollIntervalMs: 100,
  });
  const entered = await gate.enter({
    commandId: command.id,
    workspaceId,
    workingDirectory: command.workingDirectory,
    onApprove: command.onApprove,
    run: {
      status: 'completed', exitCode: 0, errorMessage: null, summary: null, stdoutTail: 'agent output from the first process',
      stdoutTruncated: false, stderr: '', stderrTruncated: false, startedAt, completedAt: new Date().toISOString(),
    },
  });
  process.stdout.write(entered ? `AWAITING ${command.id}\n` : 'NOT-ENTERED\n');
  await gate.wait(command.id, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  process.stdout.write('WAIT-ENDED\n');
}

main().catch((error: unknown) => {
  process.stderr.write(String(error) + '\n');
  process.exit(1);
});
