import type { Command as Program } from 'commander';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { isTerminal } from '../../core/commands/command.js';
import { checkNewCommand } from '../../core/run/new-command-check.js';
import { commandIdFrom, withConfiguredSource } from '../control/configured-source.js';
import { formatCommand, formatList } from '../control/format.js';
import { createLogPrinter, type LogPrinter } from '../control/log-printer.js';
import { explainNoOutput } from '../control/no-output.js';
import { CliError } from '../errors.js';

interface EnqueueOptions {
  cwd?: string;
  agent?: string;
  timeout?: number;
  target?: string;
  commitment?: string;
  worktree?: boolean;
  onApprove?: string;
  json?: boolean;
}

/** enqueue, list, show, logs: they go to the configured source directly, whether or not an executor runs. */
export function registerQueueCommands(program: Program): void {
  program
    .command('enqueue')
    .description('add a command to the queue and print its id ("-" reads the prompt from stdin)')
    .argument('<prompt>', 'the prompt for the agent')
    .option('--cwd <dir>', 'working directory (default: the current directory)')
    .option('--agent <name>', 'agent profile from beacon.yaml (default: execution.default_agent)')
    .option('--timeout <seconds>', 'timeout in seconds (default: execution.default_timeout_seconds)', parseTimeout)
    .option('--target <machineId>', 'only this machine may run it')
    .option('--commitment <id>', 'the Mentu commitment this command belongs to')
    .option('--worktree', "run in the commitment's git worktree (<parent of repo>/worktrees/<commitment id>); needs --commitment")
    .option('--on-approve <shell command>', 'after a successful run, wait for `beacon approve <id>`, then run this in the same directory')
    .option('--json', 'print the created command as JSON')
    .action(async (prompt: string, options: EnqueueOptions) => {
      const text = prompt === '-' ? readFileSync(0, 'utf8') : prompt;
      if (!text.trim()) throw new CliError('The prompt is empty');
      if (options.worktree && !options.commitment) throw new CliError('--worktree needs --commitment <id>');
      await withConfiguredSource(async ({ source, loaded }) => {
        const check = checkNewCommand(
          { prompt: text, workingDirectory: resolve(options.cwd ?? process.cwd()), agent: options.agent, timeoutSeconds: options.timeout, targetMachineId: options.target },
          { config: loaded.config, configPath: loaded.path, machineId: loaded.machineId, sourceKind: source.kind, homeDir: process.env.HOME || homedir() },
        );
        // Refused up front (exit 2): nothing is queued, so no id is printed for a command that could only fail.
        if (!check.ok) throw new CliError(check.reason, 2);
        const command = await source.enqueue({
          prompt: text,
          workingDirectory: check.workingDirectory,
          agent: check.agent,
          timeoutSeconds: options.timeout ?? null,
          targetMachineId: options.target ?? null,
          commitmentId: options.commitment ?? null,
          withWorktree: options.worktree ?? false,
          approvalRequired: options.onApprove !== undefined,
          onApprove: options.onApprove ?? null,
        });
        process.stdout.write(options.json ? JSON.stringify(command) + '\n' : command.id + '\n');
      });
    });

  program
    .command('list')
    .description('recent commands: running first, then newest')
    .option('--limit <n>', 'how many (default 50)', (v) => positiveInt(v, '--limit'))
    .option('--json', 'print the commands as JSON')
    .action(async (options: { limit?: number; json?: boolean }) => {
      await withConfiguredSource(async ({ source }) => {
        const commands = await source.list({ limit: options.limit ?? 50 });
        process.stdout.write(options.json ? JSON.stringify(commands) + '\n' : formatList(commands));
      });
    });

  program
    .command('show')
    .description('one command with its status, exit code, timings and run summary')
    .argument('<id>', 'the command id, or its first 6 characters or more')
    .option('--json', 'print the command as JSON')
    .action(async (typed: string, options: { json?: boolean }) => {
      await withConfiguredSource(async ({ source }) => {
        const id = await commandIdFrom(source, typed);
        const command = await source.get(id);
        if (!command) throw new CliError(`No command ${id} (beacon list shows the recent ones)`);
        process.stdout.write(options.json ? JSON.stringify(command) + '\n' : formatCommand(command));
      });
    });

  program
    .command('logs')
    .description("print a command's output log")
    .argument('<id>', 'the command id, or its first 6 characters or more')
    .option('-f, --follow', 'keep printing new output until the command finishes')
    .option('--raw', 'print the exact bytes of the log (stream-json lines are shown readable otherwise)')
    .action(async (typed: string, options: { follow?: boolean; raw?: boolean }) => {
      await withConfiguredSource(async ({ source, paths }) => {
        const id = await commandIdFrom(source, typed);
        const path = paths.commandLog(id);
        let offset = 0;
        let waitingSaid = false;
        const printer = createLogPrinter(options.raw ? 'raw' : 'readable');
        for (;;) {
          // Read the status before the bytes: once terminal, the log is complete after this read.
          const command = await source.get(id);
          const done = isTerminal(command?.status ?? 'failed');
          offset = copyFrom(path, offset, printer);
          if (!options.follow || done) {
            printer.end();
            // Nothing at all: say why on stderr (stdout stays the log's bytes, for pipes).
            if (offset === 0 && command) process.stderr.write(`${explainNoOutput(command)}\n`);
            return;
          }
          if (offset === 0 && !waitingSaid && command && !command.startedAt) {
            waitingSaid = true;
            process.stderr.write(`${explainNoOutput(command)} Waiting for it…\n`);
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      });
    });
}

/** Write the log's bytes from `offset` to the printer; returns the new offset. */
function copyFrom(path: string, offset: number, printer: LogPrinter): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return offset; // not started yet
  }
  try {
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, offset);
      if (read <= 0) return offset;
      printer.write(Buffer.from(buffer.subarray(0, read)));
      offset += read;
    }
  } finally {
    closeSync(fd);
  }
}

function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CliError(`--timeout expects a positive number of seconds, got ${JSON.stringify(value)}`);
  return seconds;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} expects a positive whole number, got ${JSON.stringify(value)}`);
  return n;
}
