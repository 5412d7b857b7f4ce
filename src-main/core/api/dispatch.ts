import { MAX_TIMEOUT_SECONDS } from '../executor/pre-claim.js';
import { z } from 'zod';
import { BEACON_ACTION_NAMES, type ActionContext, type BeaconActionName, type BeaconActions } from '../contract/types.js';

/**
 * One validator and dispatcher for every transport (Electron IPC, the dashboard WebSocket, the CLI's
 * control socket): an action name plus an argument array, checked before anything in the core runs.
 */

const commandId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'a command id');

const settingsPatch = z
  .object({
    commandSource: z.enum(['local', 'supabase']).optional(),
    supabaseUrl: z.url().nullable().optional(),
    workspaceIds: z.array(z.uuid()).max(50).optional(),
    supabaseKey: z.string().min(1).max(8192).optional(),
    auth: z.enum(['auto', 'session', 'service_role']).optional(),
    anonKey: z.string().min(1).max(8192).nullable().optional(),
    allowedDirectories: z.array(z.string().min(1).max(4096)).max(100).optional(),
    defaultTimeoutSeconds: z.number().int().positive().max(MAX_TIMEOUT_SECONDS).optional(),
    maxConcurrent: z.number().int().min(1).max(64).optional(),
    agentCommand: z.string().min(1).max(4096).optional(),
    launchAtLogin: z.boolean().optional(),
  })
  .strict();

const permissionAnswer = z
  .object({
    decision: z.enum(['allow', 'deny']),
    scope: z.enum(['once', 'command']).optional(),
    message: z.string().max(2000).optional(),
  })
  .strict();

/** Actions the transport completes with its ActionContext (the surface an answer came through). */
const CONTEXT_ACTIONS: readonly BeaconActionName[] = ['answerPermission'];

const enqueueRequest = z
  .object({
    prompt: z.string().min(1).max(1024 * 1024),
    workingDirectory: z.string().min(1).max(4096),
    agent: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'an agent name').nullable().optional(),
    timeoutSeconds: z.number().positive().max(MAX_TIMEOUT_SECONDS).nullable().optional(),
    targetMachineId: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/i, 'a machine id').nullable().optional(),
  })
  .strict();

export const ACTION_ARGUMENTS = {
  getSnapshot: z.tuple([]),
  pause: z.tuple([]),
  resume: z.tuple([]),
  cancel: z.tuple([commandId]),
  requeue: z.tuple([commandId]),
  readOutput: z.union([
    z.tuple([commandId, z.number().int().min(0)]),
    z.tuple([commandId, z.number().int().min(0), z.number().int().min(1).max(8 * 1024 * 1024)]),
  ]),
  getSettings: z.tuple([]),
  updateSettings: z.tuple([settingsPatch]),
  decideApproval: z.tuple([commandId, z.enum(['approved', 'rejected'])]),
  followUp: z.tuple([commandId, z.string().min(1).max(1024 * 1024)]),
  answerPermission: z.tuple([z.string().regex(/^[0-9a-f-]{4,36}$/, 'a permission request id (or at least 4 of its first characters)'), permissionAnswer]),
  startSignIn: z.tuple([]),
  getSignIn: z.tuple([]),
  listWorkspaces: z.tuple([]),
  signOut: z.tuple([]),
  readCommandText: z.tuple([commandId]),
  enqueue: z.tuple([enqueueRequest]),
  getEnqueueOptions: z.tuple([]),
} satisfies Record<BeaconActionName, z.ZodType>;

export class ApiRequestError extends Error {
  constructor(
    readonly code: 'unknown_action' | 'bad_arguments',
    message: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

export function isActionName(name: unknown): name is BeaconActionName {
  return typeof name === 'string' && (BEACON_ACTION_NAMES as readonly string[]).includes(name);
}

/** Validate `args` for `name`; throws ApiRequestError with a message that says what was expected. */
export function validateActionArguments(name: unknown, args: unknown): { name: BeaconActionName; args: unknown[] } {
  if (!isActionName(name)) {
    throw new ApiRequestError('unknown_action', `Unknown action ${JSON.stringify(name)}; expected one of ${BEACON_ACTION_NAMES.join(', ')}`);
  }
  const parsed = ACTION_ARGUMENTS[name].safeParse(args ?? []);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length ? ` at argument ${first.path.join('.')}` : '';
    throw new ApiRequestError('bad_arguments', `Invalid arguments for ${name}${where}: ${first?.message ?? 'invalid'}`);
  }
  return { name, args: parsed.data as unknown[] };
}

/**
 * Validate, then call the action. `context` comes from the transport, never from the caller's arguments: an
 * action that records where it came from (answerPermission) gets it as its last argument.
 */
export async function dispatchAction(actions: BeaconActions, name: unknown, args: unknown, context?: ActionContext): Promise<unknown> {
  const call = validateActionArguments(name, args);
  const fn = actions[call.name] as ((...a: unknown[]) => Promise<unknown>) | undefined;
  if (!fn) throw new ApiRequestError('unknown_action', `This Beacon does not offer ${call.name}`);
  if (CONTEXT_ACTIONS.includes(call.name)) {
    if (!context) throw new ApiRequestError('unknown_action', `${call.name} is not offered on this channel`);
    return fn.apply(actions, [...call.args, context]);
  }
  return fn.apply(actions, call.args);
}
