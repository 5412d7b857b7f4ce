import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../../src-main/core/logger.js';
import type { PreClaimCheck } from '../../../../src-main/core/commands/source.js';
import { type Gateway } from '../../../gateway/index.js';
import { commandRow, insertCommand, type Driver } from '../../../support/source-driver.js';
import { useSourceDrivers } from '../../../support/use-source-drivers.js';
import { recordingLogger } from '../../../support/recording-logger.js';
import { waitFor } from '../../../support/wait.js';

/**
 * The claim path against the gateway: a candidate whose check throws costs only itself (claim-and-fail
 * when targeted here, left pending and logged once otherwise), and the realtime fast path claims a fresh
 * command from the event's row without listing first.
 */

let gateway: Gateway;
const sources = useSourceDrivers((g) => (gateway = g), { member: true });

const driverFor = (machineId: string, check: PreClaimCheck, extra: { logger?: Logger; pollSeconds?: number } = {}): Promise<Driver> =>
  sources.start(machineId, { check, source: extra });

const listings = () => gateway.stats.requests['GET /rest/v1/bridge_commands'] ?? 0;

describe('claim path', () => {
  it('a check that throws on one row costs only that row: targeted here it is failed with the reason, untargeted it is left and logged once; the next command runs', async () => {
    const machineId = 'beacon-guard';
    const logger = recordingLogger();
    const check: PreClaimCheck = (command) => {
      if (command.prompt.includes('poison')) throw new Error('poisoned row');
      return { ok: true };
    };
    const untargeted = await insertCommand(gateway, { prompt: 'poison untargeted' });
    const targeted = await insertCommand(gateway, { prompt: 'poison targeted', target_machine_id: machineId });
    const valid = await insertCommand(gateway, { prompt: 'steps=1 ms=5' });
    const driver = await driverFor(machineId, check, { logger, pollSeconds: 1 });

    await waitFor('the valid command to complete', async () => (await commandRow(gateway, valid)).status === 'completed', 15_000);
    await waitFor('the targeted poison row to fail', async () => (await commandRow(gateway, targeted)).status === 'failed', 15_000);
    expect(await commandRow(gateway, targeted)).toMatchObject({ status: 'failed', claimed_by_machine_id: machineId, started_at: null });
    const result = (await gateway.sql('select status, error_message from public.bridge_results where command_id = $1', [targeted])).rows;
    expect(result).toEqual([{ status: 'failed', error_message: 'Beacon could not check this command: poisoned row' }]);
    expect(driver.runs.map((r) => r.commandId)).toEqual([valid]);

    // Several poll rounds later the untargeted row is still pending, untouched, and was reported once.
    const rounds = driver.wakes.length;
    await waitFor('three more claim rounds', () => driver.wakes.length >= rounds + 3, 10_000);
    expect(await commandRow(gateway, untargeted)).toMatchObject({ status: 'pending', claimed_by_machine_id: null });
    const reports = logger.warnings.filter((w) => w.fields?.commandId === untargeted);
    expect(reports).toHaveLength(1);
    expect(String(reports[0]!.fields?.reason)).toBe('Beacon could not check this command: poisoned row');
  }, 60_000);

  it.each(['claim_bridge_command', 'the conditional PATCH'])('a subscribed executor claims a freshly inserted command from the realtime row, without listing first (via %s)', async (via) => {
    if (via !== 'claim_bridge_command') await gateway.sql('drop function public.claim_bridge_command(text, uuid[], text[], uuid[])');
    try {
      await fastPath();
    } finally {
      if (via !== 'claim_bridge_command') await gateway.sql(readFileSync(new URL('../../../../supabase/migrations/20260301000200_beacon_claim_bridge_command.sql', import.meta.url), 'utf8'));
    }
  }, 60_000);

  async function fastPath(): Promise<void> {
    const seenAt = new Map<string, number>();
    const check: PreClaimCheck = (command) => {
      if (!seenAt.has(command.id)) seenAt.set(command.id, listings());
      return command.prompt.includes('refuse') ? { ok: false, reason: 'not here', claimAndFail: false } : { ok: true };
    };
    // No poll during the test: every listing comes from a wake we cause.
    const driver = await driverFor('beacon-fast', check, { pollSeconds: 60 });
    await waitFor('subscribed and the catch-up done', () => driver.wakes.includes('subscribed') && driver.source.status().connection === 'connected');
    await new Promise((resolve) => setTimeout(resolve, 300));

    for (let i = 0; i < 3; i++) {
      const before = listings();
      const id = await insertCommand(gateway, { prompt: `steps=1 ms=5 fresh ${i}` });
      await waitFor(`claim of fresh ${i}`, () => driver.runs.some((r) => r.commandId === id), 5000, 5);
      // Checked (and claimed) before any GET of bridge_commands in its round.
      expect(seenAt.get(id)).toBe(before);
      await driver.idle();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    // A hint is not truth: the local check still applies, and a refused row stays pending.
    const refused = await insertCommand(gateway, { prompt: 'refuse me' });
    await waitFor('the refused row to be checked', () => seenAt.has(refused), 5000, 5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await commandRow(gateway, refused)).toMatchObject({ status: 'pending', claimed_by_machine_id: null });
    expect(driver.runs).toHaveLength(3);
  }

  it('two subscribed executors racing on hinted rows: each command is claimed exactly once', async () => {
    const a = await driverFor('beacon-race-a', () => ({ ok: true }), { pollSeconds: 1 });
    const b = await driverFor('beacon-race-b', () => ({ ok: true }), { pollSeconds: 1 });
    await waitFor('both subscribed', () => a.source.status().connection === 'connected' && b.source.status().connection === 'connected');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await insertCommand(gateway, { prompt: `steps=1 ms=5 race ${i}` }));
    await waitFor('all completed', async () => {
      const { rows } = await gateway.sql<{ n: number }>(`select count(*)::int as n from public.bridge_commands where status = 'completed'`);
      return rows[0]!.n === ids.length;
    }, 30_000, 100);
    const claimed = [...a.runs, ...b.runs].map((r) => r.commandId).sort();
    expect(claimed).toEqual([...ids].sort());
  }, 60_000);
});
