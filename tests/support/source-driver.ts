import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import type { CommandOutcome } from '../../src-main/core/contract/command.js';
import type { CommandSource, PreClaimCheck, SourceStatus } from '../../src-main/core/commands/source.js';
import { createSupabaseSource, type SupabaseSourceOptions } from '../../src-main/core/commands/supabase/index.js';
import { silentLogger } from '../../src-main/core/logger.js';
import type { Gateway } from '../gateway/index.js';

/**
 * A small claim-and-run driver over the CommandSource port, standing in for the executor so the source
 * can be tested on its own: wake → claimNext(check) until null → markRunning → output → finish.
 * Work is simulated from the prompt ("steps=5 ms=100"); cancellation aborts it.
 */

export const WS = '11111111-1111-4111-8111-111111111111';
export const OTHER_WS = '22222222-2222-4222-8222-222222222222';
export const USER = '33333333-3333-4333-8333-333333333333';

export function tempDir(prefix: string, cleanups: (() => unknown)[]): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function sourceOptions(gateway: Gateway, machineId: string, outboxDir: string, extra: Partial<SupabaseSourceOptions> = {}): SupabaseSourceOptions {
  return {
    url: gateway.url,
    auth: { kind: 'service_role', key: gateway.serviceRoleKey },
    workspaceIds: [WS],
    primaryWorkspaceId: null,
    machineId,
    machineName: `Test ${machineId}`,
    hostname: 'test-host',
    pollSeconds: 2,
    heartbeatSeconds: 1,
    outboxDir,
    maxOutputBytes: 64 * 1024,
    logger: silentLogger,
    tuning: { channelMaxBackoffMs: 2000, outboxMaxBackoffMs: 1000, requestTimeoutMs: 10_000, realtimeHeartbeatMs: 2000 },
    ...extra,
  };
}

export interface RunRecord {
  commandId: string;
  machineId: string;
  claimedAt: number;
  outcome?: CommandOutcome['status'];
}

export interface Driver {
  source: CommandSource;
  runs: RunRecord[];
  statuses: SourceStatus[];
  wakes: string[];
  cancelled: string[];
  /** Resolves when no run is in progress. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export const acceptAll: PreClaimCheck = () => ({ ok: true });

/** Like an executor with max_concurrent: claims only while fewer than `maxConcurrent` runs are active. */
export async function startDriver(source: CommandSource, machineId: string, check: PreClaimCheck = acceptAll, maxConcurrent = 4): Promise<Driver> {
  const runs: RunRecord[] = [];
  const statuses: SourceStatus[] = [];
  const wakes: string[] = [];
  const cancelled: string[] = [];
  const aborts = new Map<string, AbortController>();
  const active = new Set<Promise<void>>();
  let passing = false;
  let again = false;
  let stopped = false;

  const runOne = async (commandId: string, prompt: string): Promise<void> => {
    const record: RunRecord = { commandId, machineId, claimedAt: Date.now() };
    runs.push(record);
    const abort = new AbortController();
    aborts.set(commandId, abort);
    const startedAt = new Date().toISOString();
    const steps = Number(/steps=(\d+)/.exec(prompt)?.[1] ?? 3);
    const ms = Number(/ms=(\d+)/.exec(prompt)?.[1] ?? 20);
    let status: CommandOutcome['status'] = 'completed';
    let stdout = '';
    if (!(await source.markRunning(commandId, startedAt))) status = 'cancelled';
    for (let i = 0; i < steps && status === 'completed'; i++) {
      if (abort.signal.aborted) status = 'cancelled';
      else {
        const text = `step ${i + 1} of ${commandId}\n`;
        stdout += text;
        source.appendOutput(commandId, { stream: 'stdout', text });
        await new Promise((resolve) => setTimeout(resolve, ms));
      }
    }
    if (abort.signal.aborted) status = 'cancelled';
    record.outcome = status;
    await source.finish(commandId, {
      status,
      exitCode: status === 'completed' ? 0 : null,
      errorMessage: status === 'cancelled' ? 'cancelled by the user' : null,
      summary: null,
      stdoutTail: stdout,
      stdoutTruncated: false,
      stderr: '',
      stderrTruncated: false,
      startedAt,
      completedAt: new Date().toISOString(),
    });
    aborts.delete(commandId);
  };

  const pass = async (): Promise<void> => {
    if (passing) {
      again = true;
      return;
    }
    passing = true;
    try {
      do {
        again = false;
        while (!stopped && active.size < maxConcurrent) {
          const command = await source.claimNext(check).catch(() => null);
          if (!command) break;
          const run = runOne(command.id, command.prompt);
          active.add(run);
          void run.finally(() => {
            active.delete(run);
            void pass(); // capacity freed
          });
        }
      } while (again && !stopped);
    } finally {
      passing = false;
    }
  };

  await source.start(
    { machineId, agents: ['claude'], workspaceIds: [WS] },
    {
      onWake: (reason) => {
        wakes.push(reason);
        void pass();
      },
      onCancelled: (id) => {
        cancelled.push(id);
        aborts.get(id)?.abort();
      },
      onCommandChanged: () => {},
      onStatus: (status) => statuses.push(status),
    },
  );
  return {
    source,
    runs,
    statuses,
    wakes,
    cancelled,
    idle: async () => {
      while (active.size) await Promise.all([...active]);
    },
    stop: async () => {
      stopped = true;
      while (active.size) await Promise.all([...active]);
      await source.stop();
    },
  };
}

export function newSource(gateway: Gateway, machineId: string, outboxDir: string, extra: Partial<SupabaseSourceOptions> = {}): CommandSource {
  return createSupabaseSource(sourceOptions(gateway, machineId, outboxDir, extra));
}

export async function insertCommand(gateway: Gateway, fields: Record<string, unknown> = {}): Promise<string> {
  const row = { workspace_id: WS, prompt: 'steps=3 ms=20', working_directory: '/tmp', agent: 'claude', ...fields };
  const keys = Object.keys(row);
  const result = await gateway.sql<{ id: string }>(
    `insert into public.bridge_commands (${keys.join(',')}) values (${keys.map((_, i) => `$${i + 1}`).join(',')}) returning id`,
    Object.values(row),
  );
  return result.rows[0]!.id;
}

export async function commandRow(gateway: Gateway, id: string): Promise<Record<string, unknown>> {
  return (await gateway.sql('select * from public.bridge_commands where id = $1', [id])).rows[0]!;
}

/** The dashboard's own client: the anon key plus a workspace member's JWT, with RLS applied. */
export function dashboardClient(gateway: Gateway): SupabaseClient {
  const token = gateway.makeUserJwt(USER);
  return createClient(gateway.url, gateway.anonKey, {
    accessToken: () => Promise.resolve(token),
    realtime: { transport: WebSocket as unknown as never },
  });
}

export async function addWorkspaceMember(gateway: Gateway): Promise<void> {
  await gateway.sql(`insert into public.workspaces (id, name) values ($1, 'beacon-test') on conflict do nothing`, [WS]);
  await gateway.sql(`insert into public.workspace_members (workspace_id, user_id) values ($1, $2) on conflict do nothing`, [WS, USER]);
}

export { randomUUID };
