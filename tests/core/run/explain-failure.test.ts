import { describe, expect, it } from 'vitest';
import { emptyRunSummary, type RunSummary } from '../../../src-main/core/contract/run-summary.js';
import { explainFailure, failureKind, NOT_LOGGED_IN, refusalNote } from '../../../src-main/core/contract/stream-json/explain.js';
import { describeExitCode, stoppedExitCode } from '../../../src-main/core/contract/exit-code.js';

const summary = (patch: Partial<RunSummary>): RunSummary => ({ ...emptyRunSummary(), ...patch });

/** The reasons below are the real CLI 2.1.197's (tests/model-server/selftest/real-cli-errors.test.ts pins them). */
describe('a failed run says why, in the CLI\'s words, with the known cases named', () => {
  it.each([
    ['not_logged_in', summary({ isError: true, errorText: 'Not logged in · Please run /login' }), NOT_LOGGED_IN],
    ['not_logged_in', summary({ isError: true, apiErrorStatus: 401, errorText: 'Invalid API key · Fix external API key' }), 'log in again'],
    ['not_logged_in', summary({ isError: true, apiErrorStatus: 401, errorText: 'Failed to authenticate. API Error: 401 token expired' }), 'The CLI said: Failed to authenticate'],
    ['rate_limited', summary({ isError: true, apiErrorStatus: 429, errorText: 'API Error: Request rejected (429) · slow down' }), 'try again later'],
    ['overloaded', summary({ isError: true, errorText: 'API Error: Repeated 529 Overloaded errors. The API is at capacity' }), 'overloaded: try again later'],
    ['max_turns', summary({ isError: true, resultSubtype: 'error_max_turns', errorText: 'Reached maximum number of turns (1)' }), 'turn limit'],
    ['max_budget', summary({ isError: true, resultSubtype: 'error_max_budget_usd', errorText: 'Reached maximum budget ($0.01)' }), 'budget limit'],
    ['unknown_option', summary({ lastErrorLine: "error: unknown option '- fix the bug'" }), 'refused an option'],
  ] as const)('%s', (kind, s, phrase) => {
    expect(failureKind(s, s.errorText ?? s.lastErrorLine ?? null)).toBe(kind);
    const message = explainFailure(s, 1, null);
    expect(message).toContain(phrase);
    expect(message).toContain(s.errorText ?? s.lastErrorLine!);
  });

  it('an unknown failure is the CLI\'s own text; with nothing said, the exit code or signal', () => {
    expect(explainFailure(summary({ isError: true, errorText: 'API Error: Can\'t reach the API server' }), 1, null)).toBe('API Error: Can\'t reach the API server');
    expect(explainFailure(null, 3, null)).toBe('The agent exited with code 3');
    expect(explainFailure(null, null, 'SIGKILL')).toBe('The agent was killed by SIGKILL');
  });
});

describe('refused tool uses', () => {
  it('are counted and named, five at most', () => {
    const denials = [{ tool: 'Write', target: '/w/a' }, { tool: 'Bash', target: 'make' }, { tool: 'Edit', target: '/w/b' }, { tool: 'Read', target: null }, { tool: 'Write', target: '/w/c' }, { tool: 'Write', target: '/w/d' }];
    expect(refusalNote(summary({ permissionDenials: denials, permissionDenialCount: 7 }))).toBe('7 tool uses were refused: Write /w/a, Bash make, Edit /w/b, Read, Write /w/c, and 2 more');
    expect(refusalNote(summary({ permissionDenials: [{ tool: 'Write', target: '/x' }], permissionDenialCount: 1 }))).toBe('1 tool use was refused: Write /x');
    expect(refusalNote(summary({}))).toBeNull();
    expect(refusalNote({ ...summary({}), permissionDenials: undefined, permissionDenialCount: undefined })).toBeNull();
  });
});

describe('a stopped run never reads exit 0', () => {
  it('the agent\'s own non-zero code, else 128 + the signal that ended it or that Beacon sent', () => {
    expect(stoppedExitCode(0, null, 'SIGINT')).toBe(130);
    expect(stoppedExitCode(0, 9, 'SIGKILL')).toBe(137);
    expect(stoppedExitCode(1, null, 'SIGINT')).toBe(1);
    expect(stoppedExitCode(0, null, 'SIGTERM')).toBe(143);
    expect(stoppedExitCode(null, null, null)).toBeNull();
    expect(describeExitCode(130, 'cancelled')).toBe('130 (SIGINT)');
    expect(describeExitCode(130, 'failed')).toBe('130');
    expect(describeExitCode(null, 'timeout')).toBeNull();
  });
});
