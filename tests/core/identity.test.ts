import { describe, expect, it } from 'vitest';
import { ACTOR, machineIdForHostname } from '../../src-main/core/identity.js';
import { allowedPredecessors, canTransition, isTerminal } from '../../src-main/core/commands/command.js';
import { COMMAND_STATUSES } from '../../src-main/core/contract/command.js';

describe('identity', () => {
  it('derives beacon-{hostname} as the design decision (one executor per machine) names it', () => {
    expect(machineIdForHostname('Rashids-MacBook-Pro.local')).toBe('beacon-rashids-macbook-pro');
    expect(machineIdForHostname('vps_01.example.com')).toBe('beacon-vps-01-example-com');
    expect(machineIdForHostname('  ')).toBe('beacon-unknown');
  });
  it('has one actor', () => {
    expect(ACTOR).toBe('agent:executor');
  });
});

describe('command state machine', () => {
  it('never leaves a terminal status', () => {
    for (const from of COMMAND_STATUSES.filter(isTerminal)) {
      for (const to of COMMAND_STATUSES) expect(canTransition(from, to)).toBe(false);
    }
  });
  it('lets a cancel in from every active status, and completion only from running or approved', () => {
    expect(allowedPredecessors('cancelled').sort()).toEqual(['approved', 'awaiting_approval', 'claimed', 'pending', 'running']);
    expect(allowedPredecessors('completed').sort()).toEqual(['approved', 'running']);
    expect(canTransition('pending', 'running')).toBe(false);
  });
});
