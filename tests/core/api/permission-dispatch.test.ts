import { describe, expect, it } from 'vitest';
import { ApiRequestError, dispatchAction } from '../../../src-main/core/api/dispatch.js';
import type { ActionContext, BeaconActions, PermissionAnswerInput } from '../../../src-main/core/contract/types.js';

/** answerPermission through the one dispatcher: the surface is the transport's to say, never the caller's. */

function recordingActions(): { actions: BeaconActions; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const actions = {
    answerPermission: async (id: string, answer: PermissionAnswerInput, context?: ActionContext) => {
      calls.push([id, answer, context]);
      return { ok: true, message: 'ok' };
    },
  } as unknown as BeaconActions;
  return { actions, calls };
}

describe('answerPermission through dispatchAction', () => {
  it('passes the transport\'s surface as the last argument', async () => {
    const { actions, calls } = recordingActions();
    await dispatchAction(actions, 'answerPermission', ['3f2a9c1e', { decision: 'allow', scope: 'command' }], { surface: 'dashboard' });
    expect(calls).toEqual([['3f2a9c1e', { decision: 'allow', scope: 'command' }, { surface: 'dashboard' }]]);
  });

  it('refuses a caller that names a surface itself, bad answers, and a channel that gives no surface', async () => {
    const { actions, calls } = recordingActions();
    const refused = [
      ['3f2a9c1e', { decision: 'allow' }, { surface: 'cli' }],
      ['3f2a9c1e', { decision: 'allow', via: 'cli' }],
      ['3f2a9c1e', { decision: 'maybe' }],
      ['../../etc', { decision: 'deny' }],
      ['3f2a9c1e', { decision: 'deny', message: 'x'.repeat(2001) }],
    ];
    for (const args of refused) {
      await expect(dispatchAction(actions, 'answerPermission', args, { surface: 'tray' }), JSON.stringify(args).slice(0, 80)).rejects.toBeInstanceOf(ApiRequestError);
    }
    await expect(dispatchAction(actions, 'answerPermission', ['3f2a9c1e', { decision: 'allow' }])).rejects.toThrow('answerPermission is not offered on this channel');
    expect(calls).toEqual([]);
  });
});
