import type { BeaconSnapshot, CommandView, LockHolderView } from '../../src-main/core/contract/types.js';

/** A snapshot with sensible defaults; tests override only what they look at. */
export function snapshotWith(overrides: Partial<BeaconSnapshot> = {}): BeaconSnapshot {
  return {
    machineId: 'beacon-test',
    machineName: 'test',
    hostname: 'test',
    version: '0.1.0',
    mode: 'app',
    role: 'active',
    paused: false,
    source: { kind: 'local', connection: 'connected', detail: null, pendingWrites: 0 },
    lockHolders: [],
    commands: [],
    maxConcurrent: 1,
    configPath: '/tmp/beacon.yaml',
    logsDir: '/tmp/logs',
    problem: null,
    fleet: [],
    ...overrides,
  };
}

export function commandWith(id: string, status: CommandView['status'], overrides: Partial<CommandView> = {}): CommandView {
  return {
    id,
    status,
    prompt: `prompt of ${id}`,
    workingDirectory: '/tmp/work',
    agent: 'claude',
    targetMachineId: null,
    workspaceId: null,
    commitmentId: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    claimedAt: null,
    startedAt: null,
    completedAt: null,
    exitCode: null,
    errorMessage: null,
    summary: null,
    outputBytes: 0,
    ...overrides,
  };
}

export function bridgeHolder(pid: number): LockHolderView {
  return {
    type: 'bridge',
    mode: null,
    pid,
    machineId: null,
    hostname: null,
    version: null,
    startedAt: null,
    alive: true,
    self: false,
    stopInstruction: 'Stop the Bridge: launchctl bootout gui/$(id -u)/ai.mentu.bridge',
  };
}
