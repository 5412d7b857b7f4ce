import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway } from '../gateway/index.js';
import { useGateway } from '../gateway/use-gateway.js';
import { type BeaconRun, type BeaconSandbox } from '../support/beacon-sandbox.js';
import { runCli } from '../support/cli.js';
import { useRealClaude } from '../support/real-claude.js';
import { startModelServer, turn, userPrompt, type ModelServer } from '../model-server/index.js';
import { commandRow, insertCommand, WS } from '../support/source-driver.js';
import { waitFor } from '../support/wait.js';
import { useBeaconSandboxes } from '../support/sandbox-hooks.js';

/**
 * End to end: `node dist-cli/beacon.cjs run` with command_source supabase against the gateway; runs about Claude use
 * the REAL claude CLI against the scripted model server, the stand-in only for a long-lived orphan and the 30-command race.
 */

let gateway: Gateway;
let model: ModelServer;

useGateway((g) => (gateway = g));
const beacons = useBeaconSandboxes(() => gateway);
beforeAll(async () => {
  model = await startModelServer();
});
afterAll(async () => {
  await model.stop();
});

function sandbox(machineId: string, execution: Record<string, unknown> = {}): BeaconSandbox {
  return beacons.sandbox({ machineId, execution });
}

function startRun(box: BeaconSandbox): BeaconRun {
  return beacons.start(box);
}

const resultRows = async (id: string) => (await gateway.sql('select * from public.bridge_results where command_id = $1', [id])).rows;
const statusOf = async (id: string) => (await commandRow(gateway, id)).status as string;

describe('beacon run with the Supabase source', () => {
  it('runs a real claude session end to end: tools carried out, spawn_logs during the run, one result row with the summary; targeting respected; the key never logged', async () => {
    const box = sandbox('beacon-e2e-a');
    // acceptEdits: the Write goes through; the WebFetch is asked of a person (issue 14) and, unanswered, denied after 2 s.
    const claudeHome = useRealClaude(box, model, { extraArgs: ['--permission-mode', 'acceptEdits'], permissions: { deny_unanswered_after_seconds: 2 } });
    const run = startRun(box);
    await run.ready;
    model.reset();
    const target = join(box.work, 'hello.txt');
    model.script(
      turn.tool('Write', { file_path: target, content: 'hello\n' }, { say: 'Writing hello.txt.' }),
      turn.tool('WebFetch', { url: 'https://example.com/', prompt: 'read' }),
      // Paced, so the run is seen running with its first output already in spawn_logs.
      turn.text('Done: hello.txt written.', { pacing: { eventDelayMs: 300 } }),
    );
    const foreign = await insertCommand(gateway, { prompt: 'not mine', working_directory: box.work, target_machine_id: 'beacon-not-me' });
    const id = await insertCommand(gateway, { prompt: '- write hello.txt', working_directory: box.work });
    const logText = async (): Promise<string> => (await gateway.sql<{ message: string }>('select message from public.spawn_logs where command_id = $1 order by ts', [id])).rows.map((r) => r.message).join('');
    await waitFor('running with live output', async () => (await statusOf(id)) === 'running' && (await logText()).includes('Writing hello.txt.'), 30_000, 50);
    await waitFor('completed', async () => (await statusOf(id)) === 'completed', 30_000);
    await waitFor('result row', async () => (await resultRows(id)).length === 1, 10_000);
    const [result] = await resultRows(id);
    expect(result).toMatchObject({ status: 'success', exit_code: 0, machine_id: 'beacon-e2e-a', error_message: 'completed; 1 request denied (no answer): WebFetch https://example.com/' });
    expect(readFileSync(target, 'utf8')).toBe('hello\n');
    expect(userPrompt(model.messageRequests()[0]!)).toBe('- write hello.txt');
    expect(await logText()).toContain('Done: hello.txt written.');
    expect(await statusOf(foreign)).toBe('pending');
    const machine = (await gateway.sql(`select status, workspace_id from public.bridge_machines where id = 'beacon-e2e-a'`)).rows[0];
    expect(machine).toMatchObject({ workspace_id: WS });
    expect(run.stderr()).not.toContain(gateway.serviceRoleKey);
    // `beacon enqueue` inserts into bridge_commands, --target sets target_machine_id.
    // Asynchronously: the gateway lives in this process and must keep answering.
    const enqueued = await runCli(['enqueue', '--cwd', box.work, '--target', 'beacon-elsewhere', '--', '- a prompt'], { env: box.env, cwd: box.work });
    expect(enqueued.status, enqueued.stderr).toBe(0);
    const rows = (await gateway.sql(`select target_machine_id, status, prompt from public.bridge_commands where target_machine_id = 'beacon-elsewhere'`)).rows;
    expect(rows).toEqual([{ target_machine_id: 'beacon-elsewhere', status: 'pending', prompt: '- a prompt' }]);
    await run.stop();

    // The run summary is kept in the row (result.run_summary), so it outlives the executor: `beacon show` reads
    // it back, and a follow-up finds the session to resume.
    const stored = (await gateway.sql<{ result: { run_summary: Record<string, unknown> } }>('select result from public.bridge_commands where id = $1', [id])).rows[0]!.result;
    expect(stored.run_summary).toMatchObject({
      sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown, model: expect.any(String) as unknown, cliVersion: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown,
      numTurns: expect.any(Number) as unknown, costUsd: expect.any(Number) as unknown, inputTokens: expect.any(Number) as unknown, outputTokens: expect.any(Number) as unknown,
      permissionRequests: expect.objectContaining({ asked: 1, denied: 1, unanswered: 1, denials: [expect.objectContaining({ tool: 'WebFetch' })] }) as unknown,
    });
    const shown = await runCli(['show', id, '--json'], { env: box.env, cwd: box.work });
    expect(shown.status, shown.stderr).toBe(0);
    expect((JSON.parse(shown.stdout) as { summary: { sessionId: string } }).summary.sessionId).toBe(stored.run_summary.sessionId);
    const followUp = await runCli(['enqueue', '--follow-up', id.slice(0, 8), '--', 'and a second file'], { env: box.env, cwd: box.work });
    expect(followUp.status, followUp.stderr).toBe(0);
    const next = (await gateway.sql('select flags, target_machine_id, working_directory from public.bridge_commands where id = $1', [followUp.stdout.trim()])).rows[0];
    expect(next).toEqual({ flags: ['--resume', stored.run_summary.sessionId], target_machine_id: 'beacon-e2e-a', working_directory: realpathSync(box.work) });
    claudeHome.cleanup();
  }, 90_000);

  it('a cancel from the database stops a real claude run; a timeout ends as timeout; neither reads exit 0', async () => {
    const box = sandbox('beacon-e2e-b', { max_concurrent: 2 });
    const claudeHome = useRealClaude(box, model);
    const run = startRun(box);
    await run.ready;
    model.reset();
    // Both sessions wait on a model reply that never comes.
    model.script(turn.text('never', { stallAfterEvents: 1 }), turn.text('never', { stallAfterEvents: 1 }));
    const cancelled = await insertCommand(gateway, { prompt: 'wait', working_directory: box.work });
    const timedOut = await insertCommand(gateway, { prompt: 'wait too', working_directory: box.work, timeout_seconds: 3 });
    await waitFor('both sessions calling the model', () => model.messageRequests().length === 2, 30_000);
    await gateway.sql(`update public.bridge_commands set status = 'cancelled', completed_at = now() where id = $1`, [cancelled]);
    await waitFor('cancelled result row', async () => (await resultRows(cancelled)).length === 1, 15_000);
    const [cancelRow] = await resultRows(cancelled);
    expect(cancelRow).toMatchObject({ status: 'cancelled' });
    expect(cancelRow!.exit_code).not.toBe(0);
    expect(await statusOf(cancelled)).toBe('cancelled');
    await waitFor('timeout', async () => (await statusOf(timedOut)) === 'timeout', 30_000);
    await waitFor('timeout result row', async () => (await resultRows(timedOut)).length === 1, 10_000);
    const [timeoutRow] = await resultRows(timedOut);
    expect(timeoutRow).toMatchObject({ status: 'timeout', exit_code: 130, error_message: 'Timed out after 3s (stopped with SIGINT)' });
    await run.stop();
    claudeHome.cleanup();
  }, 90_000);

  it('after kill -9 the restarted executor fails the running orphan ("executor restarted") with a result row', async () => {
    const box = sandbox('beacon-e2e-c');
    const first = startRun(box);
    await first.ready;
    const pidfile = join(box.work, 'agent.pid');
    const id = await insertCommand(gateway, { prompt: `@agent sleep=60000 pidfile=${pidfile}`, working_directory: box.work });
    await waitFor('running', async () => (await statusOf(id)) === 'running', 15_000);
    const text = await waitFor('the agent started', () => { try { return readFileSync(pidfile, 'utf8'); } catch { return null; } }, 15_000);
    const { pid } = JSON.parse(text) as { pid: number };
    first.child.kill('SIGKILL');
    await first.exited;
    try {
      process.kill(pid, 'SIGKILL'); // the orphaned agent; a re-run would start a new one
    } catch {
      // already gone
    }
    const second = startRun(box);
    await second.ready;
    await waitFor('failed', async () => (await statusOf(id)) === 'failed', 15_000);
    await waitFor('result row', async () => (await resultRows(id)).length === 1, 10_000);
    expect((await resultRows(id))[0]).toMatchObject({ status: 'failed', error_message: 'executor restarted' });
  }, 90_000);

  it('two executors with separate MENTU_HOMEs run 30 commands exactly once', async () => {
    const a = sandbox('beacon-e2e-d1', { max_concurrent: 2 });
    const b = sandbox('beacon-e2e-d2', { max_concurrent: 2 });
    const [ra, rb] = [startRun(a), startRun(b)];
    await Promise.all([ra.ready, rb.ready]);
    // Each sandbox allows only its own root, so each pre-claim check accepts only its own half.
    const ids: string[] = [];
    for (let i = 0; i < 15; i++) ids.push(await insertCommand(gateway, { prompt: `@agent lines=1 #${i}`, working_directory: a.work, target_machine_id: null }));
    for (let i = 0; i < 15; i++) ids.push(await insertCommand(gateway, { prompt: `@agent lines=1 #b${i}`, working_directory: b.work }));
    await waitFor('all completed', async () => {
      const n = (await gateway.sql<{ n: number }>(`select count(*)::int as n from public.bridge_commands where status = 'completed'`)).rows[0]!.n;
      return n === 30;
    }, 60_000, 200);
    // The result row follows the terminal status.
    await waitFor('30 result rows', async () => (await gateway.sql<{ n: number }>('select count(*)::int as n from public.bridge_results')).rows[0]!.n >= 30, 20_000, 200);
    const results = (await gateway.sql<{ n: number; d: number }>('select count(*)::int as n, count(distinct command_id)::int as d from public.bridge_results')).rows[0];
    expect(results).toEqual({ n: 30, d: 30 });
    const owners = (await gateway.sql<{ m: string; n: number }>('select claimed_by_machine_id as m, count(*)::int as n from public.bridge_commands group by 1')).rows;
    // Each executor only claims what its own pre-claim check accepts (its allowed directory).
    expect(Object.fromEntries(owners.map((r) => [r.m, r.n]))).toEqual({ 'beacon-e2e-d1': 15, 'beacon-e2e-d2': 15 });
  }, 120_000);
});
