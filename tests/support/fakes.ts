import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowedPredecessors } from '../../src-main/core/commands/command.js';
import { emptyRunSummary } from '../../src-main/core/contract/run-summary.js';
import { type Command, type CommandOutcome, type CommandStatus, type NewCommand } from '../../src-main/core/contract/command.js';
import type { CommandSource, PreClaimCheck, SourceEvents, SourceStatus } from '../../src-main/core/commands/source.js';
import type { LoadedConfig } from '../../src-main/core/config/load.js';
import { configSchema } from '../../src-main/core/config/schema.js';
import { mentuPaths, type MentuPaths } from '../../src-main/core/paths.js';
import type { RunObserver, RunRequest, RunResult, Runner, RunningProcess } from '../../src-main/core/run/runner.js';

/** In-test fakes of the two ports the executor talks to: a command source in memory and a scripted runner. */

export class MemorySource implements CommandSource {
  readonly kind: 'local' | 'supabase';
  readonly rows = new Map<string, Command>();
  readonly finished: { id: string; outcome: CommandOutcome; recorded: boolean }[] = [];
  readonly heartbeats: { busy: boolean; runningCommandIds: string[] }[] = [];
  events: SourceEvents | null = null;
  /** When set, claimNext hands out this command again (to prove the executor's own guard). */
  replay: Command | null = null;
  private seq = 0;

  constructor(kind: 'local' | 'supabase' = 'local', private readonly machineId = 'beacon-unit') {
    this.kind = kind;
  }

  add(input: Partial<Command> & { workingDirectory: string }): Command {
    const id = `cmd-${++this.seq}`;
    const command: Command = {
      id, workspaceId: null, prompt: `prompt ${id}`, agent: 'fake', flags: [], timeoutSeconds: null, targetMachineId: null,
      commandType: null, commitmentId: null, withWorktree: false, approvalRequired: false, onApprove: null, approvalStatus: null,
      status: 'pending', createdAt: new Date(Date.now() + this.seq).toISOString(), claimedAt: null, startedAt: null, completedAt: null,
      claimedByMachineId: null, exitCode: null, errorMessage: null, summary: null, ...input,
    };
    this.rows.set(id, command);
    this.events?.onWake('added');
    return command;
  }

  private move(id: string, to: CommandStatus, patch: Partial<Command> = {}): boolean {
    const row = this.rows.get(id);
    if (!row || !allowedPredecessors(to).includes(row.status)) return false;
    this.rows.set(id, { ...row, ...patch, status: to });
    return true;
  }

  async start(_identity: unknown, events: SourceEvents): Promise<void> {
    this.events = events;
    events.onWake('start');
  }
  async stop(): Promise<void> {
    this.events = null;
  }
  status(): SourceStatus {
    return { kind: this.kind, connection: 'connected', detail: null, pendingWrites: 0 };
  }
  async claimNext(check: PreClaimCheck): Promise<Command | null> {
    if (this.replay) return this.replay;
    for (const row of [...this.rows.values()].filter((r) => r.status === 'pending')) {
      const decision = check(row);
      if (!decision.ok && !decision.claimAndFail) continue;
      this.move(row.id, 'claimed', { claimedByMachineId: this.machineId, claimedAt: new Date().toISOString() });
      if (decision.ok) return this.rows.get(row.id)!;
      this.move(row.id, 'failed', { errorMessage: decision.reason });
    }
    return null;
  }
  async markRunning(id: string, startedAt: string): Promise<boolean> {
    return this.move(id, 'running', { startedAt });
  }
  appendOutput(): void {}
  async finish(id: string, outcome: CommandOutcome): Promise<boolean> {
    const recorded = this.move(id, outcome.status, { exitCode: outcome.exitCode, errorMessage: outcome.errorMessage, summary: outcome.summary, completedAt: outcome.completedAt });
    this.finished.push({ id, outcome, recorded });
    return recorded;
  }
  /** Poll and heartbeat periods handed to retune() (an edited beacon.yaml). */
  readonly retuned: { pollSeconds: number; heartbeatSeconds: number }[] = [];
  retune(timings: { pollSeconds: number; heartbeatSeconds: number }): void {
    this.retuned.push(timings);
  }
  async findIdsByPrefix(prefix: string, limit: number): Promise<string[]> {
    return [...this.rows.keys()].filter((id) => id.startsWith(prefix)).slice(0, limit);
  }
  async isCancelled(id: string): Promise<boolean> {
    return this.rows.get(id)?.status === 'cancelled';
  }
  async recoverOrphans() {
    return { failed: [], requeued: [] };
  }
  async heartbeat(state: { busy: boolean; runningCommandIds: string[] }): Promise<void> {
    this.heartbeats.push(state);
  }
  async enqueue(input: NewCommand): Promise<Command> {
    return this.add({ ...input, agent: input.agent ?? 'fake', flags: input.flags ?? [] } as Partial<Command> & { workingDirectory: string });
  }
  async requestCancel(id: string): Promise<boolean> {
    return this.move(id, 'cancelled', { errorMessage: 'cancelled by user' });
  }
  /** A cancel written by someone else, without telling anybody (for the poll backstop). */
  cancelSilently(id: string): boolean {
    return this.move(id, 'cancelled');
  }
  async get(id: string): Promise<Command | null> {
    return this.rows.get(id) ?? null;
  }
  async list(): Promise<Command[]> {
    return [...this.rows.values()].reverse();
  }
}

export interface ScriptedRun {
  request: RunRequest;
  observer: RunObserver;
  cancelledWith: string | null;
  /** End the run as if the agent exited. */
  exit(code: number): void;
}

/** A runner whose processes end when the test says so (or when cancelled). */
export class ScriptedRunner implements Runner {
  readonly runs: ScriptedRun[] = [];
  private pid = 1000;

  start(request: RunRequest, observer: RunObserver): RunningProcess {
    let resolveResult: (result: RunResult) => void = () => {};
    const result = new Promise<RunResult>((r) => (resolveResult = r));
    const startedAt = new Date().toISOString();
    const end = (reason: RunResult['reason'], exitCode: number | null, detail: string | null): void =>
      resolveResult({ reason, exitCode, signal: null, stopSignal: reason === 'cancelled' ? 'SIGINT' : null, detail, summary: emptyRunSummary(), outputTail: '', outputTruncated: false, totalBytes: 0, startedAt, endedAt: new Date().toISOString() });
    const run: ScriptedRun = { request, observer, cancelledWith: null, exit: (code) => end('exited', code, null) };
    this.runs.push(run);
    return {
      pid: ++this.pid,
      result,
      cancel: async (detail) => {
        run.cancelledWith = detail;
        end('cancelled', null, detail);
      },
    };
  }
}

export interface UnitWorld {
  root: string;
  work: string;
  paths: MentuPaths;
  env: NodeJS.ProcessEnv;
  config(execution?: Record<string, unknown>): LoadedConfig;
  cleanup(): void;
}

export function makeWorld(): UnitWorld {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'beacon-unit-')));
  const work = join(root, 'work');
  mkdirSync(work);
  const env: NodeJS.ProcessEnv = { ...process.env, MENTU_HOME: join(root, 'mentu'), BEACON_LOGIN_SHELL: '0' };
  const paths = mentuPaths(env);
  mkdirSync(paths.home, { recursive: true });
  return {
    root,
    work,
    paths,
    env,
    config: (execution = {}) => ({
      path: paths.config,
      machineId: 'beacon-unit',
      machineName: 'unit',
      created: false,
      config: configSchema.parse({
        machine: { id: 'beacon-unit' },
        execution: { allowed_directories: [work], default_agent: 'fake', ...execution },
        agents: { fake: { command: process.execPath, args: ['-e', '0', '{prompt}'], output: 'text' } },
      }),
    }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export async function until(what: string, probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
