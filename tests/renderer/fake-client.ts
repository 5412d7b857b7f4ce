import type { BeaconClient, BeaconEvent, BeaconSnapshot, CommandView, LockHolderView, OutputSlice, SettingsPatch, SettingsView } from '../../src-main/core/contract/types.js';
import { commandWith } from '../support/snapshot-fixture.js';

/**
 * An in-memory BeaconClient for UI tests and the flood benchmark: commands, an output log per command
 * (bytes, so offsets mean what they mean in the core), events with seq/offset, pause, cancel, re-queue,
 * settings, approval decisions. Tests drive it (addCommand, emitOutput, flood, setStatus, approvalGate,
 * approvalFailure) and read `calls`.
 */

const FINISHED = new Set(['completed', 'failed', 'timeout', 'cancelled']);

export interface FakeClientOptions {
  role?: BeaconSnapshot['role'];
  lockHolders?: LockHolderView[];
  machineId?: string;
}

export class FakeBeaconClient implements BeaconClient {
  readonly calls: { action: string; args: unknown[] }[] = [];
  private readonly listeners = new Set<(event: BeaconEvent) => void>();
  private readonly logs = new Map<string, Buffer[]>();
  private readonly logSizes = new Map<string, number>();
  private readonly seqs = new Map<string, number>();
  private nextId = 1;
  private settings: SettingsView;
  snapshot: BeaconSnapshot;
  /** When set, decideApproval waits for it before answering (so a test can see the page while the call runs). */
  approvalGate: Promise<void> | null = null;
  /** When set, decideApproval fails with this message (as a transport or executor error would). */
  approvalFailure: string | null = null;

  constructor(options: FakeClientOptions = {}) {
    const machineId = options.machineId ?? 'beacon-fake-host';
    this.snapshot = {
      machineId,
      machineName: 'Fake host',
      hostname: 'fake-host',
      version: '0.1.0',
      mode: 'headless',
      role: options.role ?? 'active',
      paused: false,
      source: { kind: 'local', connection: 'connected', detail: null, pendingWrites: 0 },
      lockHolders: options.lockHolders ?? [
        { type: 'beacon', mode: 'headless', pid: process.pid, machineId, hostname: 'fake-host', version: '0.1.0', startedAt: new Date().toISOString(), alive: true, self: true, stopInstruction: 'Stop `beacon run` (Ctrl-C).' },
      ],
      commands: [],
      maxConcurrent: 1,
      configPath: '/tmp/fake/beacon.yaml',
      logsDir: '/tmp/fake/logs',
      problem: null,
      fleet: [],
    };
    this.settings = {
      configPath: '/tmp/fake/beacon.yaml',
      commandSource: 'local',
      supabaseUrl: null,
      workspaceIds: [],
      supabaseKeyStored: false,
      allowedDirectories: ['/tmp'],
      defaultTimeoutSeconds: 3600,
      maxConcurrent: 1,
      agentName: 'claude',
      agentCommand: 'claude',
      agentResolvedPath: '/usr/local/bin/claude',
      agentVersion: '2.1.330 (Claude Code)',
      agentProblem: null,
      launchAtLogin: { supported: false, enabled: false, status: 'headless' },
    };
  }

  subscribe(listener: (event: BeaconEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  emit(event: BeaconEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private publish(): void {
    this.emit({ type: 'snapshot', snapshot: structuredClone(this.snapshot) });
  }

  update(change: Partial<BeaconSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    this.publish();
  }

  addCommand(partial: Partial<CommandView> = {}): CommandView {
    const id = partial.id ?? `cmd-${String(this.nextId++).padStart(4, '0')}`;
    const command = commandWith(id, partial.status ?? 'pending', { prompt: 'Say hello', workingDirectory: '/tmp/project', createdAt: new Date().toISOString(), ...partial });
    this.snapshot.commands = [command, ...this.snapshot.commands];
    this.publish();
    return command;
  }

  command(id: string): CommandView {
    const found = this.snapshot.commands.find((c) => c.id === id);
    if (!found) throw new Error(`no command ${id}`);
    return found;
  }

  setStatus(id: string, status: CommandView['status'], extra: Partial<CommandView> = {}): void {
    const now = new Date().toISOString();
    const command = this.command(id);
    Object.assign(command, { status, ...extra });
    if (status === 'running' && !command.startedAt) command.startedAt = now;
    if (FINISHED.has(status) && !command.completedAt) command.completedAt = now;
    this.publish();
  }

  /** Appends to the log and emits one output event (as the core's ~16 ms batches do). */
  emitOutput(id: string, text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    const parts = this.logs.get(id) ?? [];
    parts.push(bytes);
    this.logs.set(id, parts);
    const size = (this.logSizes.get(id) ?? 0) + bytes.length;
    this.logSizes.set(id, size);
    const seq = (this.seqs.get(id) ?? 0) + 1;
    this.seqs.set(id, seq);
    this.command(id).outputBytes = size;
    this.emit({ type: 'output', commandId: id, seq, offset: size, data: text });
  }

  /** Writes `totalBytes` of flood text in batches of `batchBytes` every `intervalMs` (0 = as fast as the event loop allows). */
  async flood(id: string, totalBytes: number, batchBytes = 64 * 1024, intervalMs = 0): Promise<void> {
    const line = 'flood-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789\r\n';
    const block = line.repeat(Math.ceil(batchBytes / line.length)).slice(0, batchBytes);
    let written = 0;
    while (written < totalBytes) {
      const piece = block.slice(0, Math.min(block.length, totalBytes - written));
      this.emitOutput(id, piece);
      written += piece.length;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    this.publish();
  }

  private logBytes(id: string): Buffer {
    const parts = this.logs.get(id) ?? [];
    const joined = Buffer.concat(parts);
    this.logs.set(id, [joined]);
    return joined;
  }

  private record(action: string, args: unknown[]): void {
    this.calls.push({ action, args });
  }

  async getSnapshot(): Promise<BeaconSnapshot> {
    this.record('getSnapshot', []);
    return structuredClone(this.snapshot);
  }

  async pause(): Promise<void> {
    this.record('pause', []);
    this.update({ paused: true });
  }

  async resume(): Promise<void> {
    this.record('resume', []);
    this.update({ paused: false });
  }

  async cancel(commandId: string): Promise<{ ok: boolean; message: string }> {
    this.record('cancel', [commandId]);
    const command = this.snapshot.commands.find((c) => c.id === commandId);
    if (!command) return { ok: false, message: `No command ${commandId}` };
    if (FINISHED.has(command.status)) return { ok: false, message: `Command ${commandId} is already ${command.status}` };
    this.setStatus(commandId, 'cancelled', { errorMessage: 'cancelled from the UI' });
    return { ok: true, message: `Cancelled ${commandId}` };
  }

  async requeue(commandId: string): Promise<{ ok: boolean; message: string; newCommandId?: string }> {
    this.record('requeue', [commandId]);
    const original = this.snapshot.commands.find((c) => c.id === commandId);
    if (!original) return { ok: false, message: `No command ${commandId}` };
    const copy = this.addCommand({ prompt: original.prompt, workingDirectory: original.workingDirectory, agent: original.agent });
    return { ok: true, message: `Queued again as ${copy.id}`, newCommandId: copy.id };
  }

  /** As the core does: reject ends failed at once; approve moves to approved, then on_approve (exit 0) completes it. */
  async decideApproval(commandId: string, decision: 'approved' | 'rejected'): Promise<{ ok: boolean; message: string }> {
    this.record('decideApproval', [commandId, decision]);
    if (this.approvalGate) await this.approvalGate;
    if (this.approvalFailure) throw new Error(this.approvalFailure);
    const command = this.snapshot.commands.find((c) => c.id === commandId);
    if (!command) return { ok: false, message: `No command ${commandId}` };
    if (command.status !== 'awaiting_approval') return { ok: false, message: `Command ${commandId} is not awaiting approval (it is ${command.status})` };
    if (decision === 'rejected') {
      this.setStatus(commandId, 'failed', { errorMessage: 'Command rejected by user' });
      return { ok: true, message: `Rejected ${commandId}` };
    }
    this.setStatus(commandId, 'approved');
    setTimeout(() => this.setStatus(commandId, 'completed', { exitCode: 0 }), 100);
    return { ok: true, message: `Approved ${commandId}` };
  }

  async readOutput(commandId: string, offset: number, maxBytes = 1024 * 1024): Promise<OutputSlice> {
    this.record('readOutput', [commandId, offset, maxBytes]);
    const log = this.logBytes(commandId);
    const start = Math.min(offset, log.length);
    const end = Math.min(log.length, start + maxBytes);
    const command = this.snapshot.commands.find((c) => c.id === commandId);
    return {
      commandId,
      offset: start,
      nextOffset: end,
      data: log.subarray(start, end).toString('utf8'),
      complete: end >= log.length && !!command && FINISHED.has(command.status),
    };
  }

  async getSettings(): Promise<SettingsView> {
    this.record('getSettings', []);
    return structuredClone(this.settings);
  }

  async updateSettings(patch: SettingsPatch): Promise<SettingsView> {
    this.record('updateSettings', [patch]);
    const { supabaseKey, launchAtLogin, ...rest } = patch;
    this.settings = { ...this.settings, ...rest };
    if (supabaseKey) this.settings.supabaseKeyStored = true;
    if (launchAtLogin !== undefined && this.settings.launchAtLogin.supported) this.settings.launchAtLogin.enabled = launchAtLogin;
    return structuredClone(this.settings);
  }
}
