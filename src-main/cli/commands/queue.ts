import type { Command as Program } from 'commander';
import { closeSync, openSync, readSync } from 'node:fs';
import { isTerminal } from '../../core/commands/command.js';
import { withConfiguredSource } from '../control/configured-source.js';
import { formatCommand, formatList } from '../control/format.js';
import { createLogPrinter, type LogPrinter } from '../control/log-printer.js';
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
    .argument('<id>')
    .option('--json', 'print the command as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      await withConfiguredSource(async ({ source }) => {
        const command = await source.get(id);
        if (!command) throw new CliError(`No command ${id} (beacon list shows the recent ones)`);
        process.stdout.write(options.json ? JSON.stringify(command) + '\n' : formatCommand(command));
      });
    });

  program
    .command('logs')
    .description("print a command's output log")
    .argument('<id>')
    .option('-f, --follow', 'keep printing new output until the command finishes')
    .option('--raw', 'print the exact bytes of the log (stream-json lines are shown readable otherwise)')
    .action(async (id: string, options: { follow?: boolean; raw?: boolean }) => {
      await withConfiguredSource(async ({ source, paths }) => {
        if (!(await source.get(id))) throw new CliError(`No command ${id} (beacon list shows the recent ones)`);
        const path = paths.commandLog(id);
        let offset = 0;
        const printer = createLogPrinter(options.raw ? 'raw' : 'readable');
        for (;;) {
          // Read the status before the bytes: once terminal, the log is complete after this read.
          const done = isTerminal((await source.get(id))?.status ?? 'failed');
          offset = copyFrom(path, offset, printer);
          if (!options.follow || done) return printer.end();
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
