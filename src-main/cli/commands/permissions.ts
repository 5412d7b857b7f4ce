import type { Command as Program } from 'commander';
import { describeAnswerSource, type PermissionRequestView } from '../../core/contract/permission-request.js';
import type { BeaconSnapshot, PermissionAnswerInput, PermissionAnswerResult } from '../../core/contract/types.js';
import { mentuPaths } from '../../core/paths.js';
import { callExecutor, ExecutorNotRunningError } from '../control/client.js';
import { readControlKey } from '../control/control-key.js';
import { CliError } from '../errors.js';

/**
 * requests, allow, deny: live permission requests of the running executor's commands (docs/permissions.md).
 * They exist only while a command runs, so these talk to the running executor over its control socket.
 */
export function registerPermissionCommands(program: Program): void {
  program
    .command('requests')
    .description('permission requests waiting for an answer (--all: with those answered lately)')
    .option('--all', 'also the requests answered lately')
    .option('--json', 'print the requests as JSON')
    .option('-f, --follow', 'keep watching: print each request as it is asked and again when it is answered (one JSON line each with --json)')
    .action(async (options: { all?: boolean; json?: boolean; follow?: boolean }) => {
      if (options.follow) return followRequests(!!options.json);
      const snapshot = (await executorCall('getSnapshot', [])) as BeaconSnapshot;
      const requests = (snapshot.permissionRequests ?? []).filter((request) => options.all || request.state === 'pending');
      process.stdout.write(options.json ? `${JSON.stringify(requests)}\n` : formatRequests(requests, !!options.all));
    });

  program
    .command('allow')
    .description('allow a permission request (its id, or its first characters)')
    .argument('<id>')
    .option('--for-command', "allow this tool for the rest of the request's command")
    .action(async (id: string, options: { forCommand?: boolean }) => {
      await answer(id, { decision: 'allow', scope: options.forCommand ? 'command' : 'once' });
    });

  program
    .command('deny')
    .description('deny a permission request; --message tells the model why')
    .argument('<id>')
    .option('-m, --message <text>', 'what the model is told with the denial')
    .action(async (id: string, options: { message?: string }) => {
      await answer(id, { decision: 'deny', ...(options.message ? { message: options.message } : {}) });
    });
}

/** `beacon requests --follow`: the executor's requests as they come and go (the control socket is asked every 200 ms). */
async function followRequests(json: boolean): Promise<void> {
  const printed = new Map<string, string>();
  for (;;) {
    const snapshot = (await executorCall('getSnapshot', [])) as BeaconSnapshot;
    for (const request of snapshot.permissionRequests ?? []) {
      if (printed.get(request.id) === request.state) continue;
      if (!printed.has(request.id) && request.state !== 'pending') {
        printed.set(request.id, request.state); // answered before this watch began: not news
        continue;
      }
      printed.set(request.id, request.state);
      process.stdout.write(json ? `${JSON.stringify(request)}\n` : formatRequests([request], true));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function answer(id: string, input: PermissionAnswerInput): Promise<void> {
  const result = (await executorCall('answerPermission', [id, input])) as PermissionAnswerResult;
  if (!result.ok) throw new CliError(result.message);
  process.stdout.write(`${result.message}\n`);
}

async function executorCall(action: 'getSnapshot' | 'answerPermission', args: unknown[]): Promise<unknown> {
  const paths = mentuPaths();
  try {
    return await callExecutor(paths.controlSocket, action, args, 10_000, readControlKey(paths));
  } catch (error) {
    if (error instanceof ExecutorNotRunningError) {
      throw new CliError('No executor is running, so no permission request is waiting (requests live only while their command runs)');
    }
    // A sandbox (or file modes) can keep this process from the socket: say so, without a stack trace.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'EACCES') throw new CliError(`Cannot reach the running executor's control socket ${paths.controlSocket}: ${code}`);
    throw error;
  }
}

export function formatRequests(requests: PermissionRequestView[], all: boolean): string {
  if (!requests.length) return all ? 'No permission requests lately.\n' : 'No permission request is waiting for an answer.\n';
  const now = Date.now();
  const blocks = requests.map((request) => {
    const head = `${request.id.slice(0, 8)}  ${request.tool} ${request.summary}`;
    const lines = [head, `          command ${request.commandId}, asked ${request.askedAt}`];
    if (request.state === 'pending') {
      const left = Math.max(0, Math.round((Date.parse(request.deadlineAt) - now) / 1000));
      lines.push(`          waiting: denied in ${left} s without an answer (beacon allow ${request.id.slice(0, 8)} | beacon deny ${request.id.slice(0, 8)})`);
    } else if (request.answer) {
      const said = request.answer.message ? `: ${request.answer.message}` : '';
      const who = request.answer.via === 'no_answer' ? 'nobody answered in time' : `answered by ${describeAnswerSource(request.answer)}`;
      lines.push(`          ${request.state}${request.answer.scope === 'command' ? ' for the rest of the command' : ''}: ${who} at ${request.answer.at}${said}`);
    }
    if (request.detail && request.state === 'pending') lines.push(...request.detail.split('\n').slice(0, 40).map((line) => `          | ${line}`));
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}
