import type { Command as Program } from 'commander';
import { closeSync, openSync, readSync } from 'node:fs';
import { isTerminal } from '../../core/commands/command.js';
import { commandFrom, withConfiguredSource } from '../control/configured-source.js';
import { formatCommand, formatList } from '../control/format.js';
import { createLogPrinter, type LogPrinter } from '../control/log-printer.js';
import { explainNoOutput } from '../control/no-output.js';
import { CliError } from '../errors.js';

/** list, show, logs: they go to the configured source directly, whether or not an executor runs (enqueue: enqueue.ts). */
export function registerQueueCommands(program: Program): void {
  program
    .command('list')
    .description('recent commands: running first, then newest')
    .option('--limit <n>', 'how many (default 50)', (v) => positiveInt(v, '--limit'))
    .option('--json', 'print the commands as JSON')
    .action(async (options: { limit?: number; json?: boolean }) => {
      await withConfiguredSource(async ({ source }) => {
        const commands = await source.list({ limit: options.limit ?? 50 });
        process.stdout.write(options.json ? JSON.stringify(commands) + '\n' : formatList(commands));
        // Rows that cannot be read are left out of the list, and said (issue 15, point 5).
        for (const row of commands.skipped ?? []) process.stderr.write(`beacon: left out a row that cannot be read: ${row.reason}\n`);
      });
    });

  program
    .command('show')
    .description('one command with its status, exit code, timings and run summary')
    .argument('<id>', 'the command id, or its first 6 characters or more')
    .option('--json', 'print the command as JSON')
    .action(async (typed: string, options: { json?: boolean }) => {
      await withConfiguredSource(async ({ source }) => {
        const command = await commandFrom(source, typed);
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
        const { id } = await commandFrom(source, typed);
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

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} expects a positive whole number, got ${JSON.stringify(value)}`);
  return n;
}
