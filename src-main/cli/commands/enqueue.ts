import type { Command as Program } from 'commander';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { planFollowUp } from '../../core/commands/follow-up.js';
import { resolveCommandId } from '../../core/commands/resolve-id.js';
import type { NewCommand } from '../../core/contract/command.js';
import { checkNewCommand } from '../../core/executor/new-command-check.js';
import { terminalEnvironment } from '../../core/run/shell-env.js';
import { withConfiguredSource, type ConfiguredSource } from '../control/configured-source.js';
import { CliError } from '../errors.js';

interface EnqueueOptions {
  cwd?: string;
  agent?: string;
  timeout?: number;
  target?: string;
  commitment?: string;
  worktree?: boolean;
  onApprove?: string;
  flag: string[];
  followUp?: string;
  json?: boolean;
}

/** Exit code of a command refused up front: it was never queued. */
const REFUSED = 2;

/**
 * `beacon enqueue`: a prompt is only ever a prompt. One that starts with "-" goes after `--`
 * (`beacon enqueue -- "- fix the bug"`) or comes from stdin (`-`), taken byte for byte.
 */
export function registerEnqueue(program: Program): void {
  program
    .command('enqueue')
    .description('add a command to the queue and print its id ("-" reads the prompt from stdin; put a prompt that starts with "-" after "--")')
    .argument('<prompt>', 'the prompt for the agent')
    .option('--cwd <dir>', 'working directory (default: the current directory)')
    .option('--agent <name>', 'agent profile from beacon.yaml (default: execution.default_agent)')
    .option('--timeout <seconds>', 'timeout in seconds (default: execution.default_timeout_seconds)', parseTimeout)
    .option('--target <machineId>', 'only this machine may run it')
    .option('--commitment <id>', 'the Mentu commitment this command belongs to')
    .option('--worktree', "run in the commitment's git worktree (<parent of repo>/worktrees/<commitment id>); needs --commitment")
    .option('--on-approve <shell command>', 'after a successful run, wait for `beacon approve <id>`, then run this in the same directory')
    .option('--flag <arg>', "one argument for the agent, before the prompt (repeat it; the profile's allowed_flags decide)", (value: string, all: string[]) => [...all, value], [])
    .option('--follow-up <id>', "continue that finished command's session (--resume) in its directory, on its machine")
    .option('--json', 'print the created command as JSON')
    .addHelpText('after', `
A prompt that starts with "-" goes after "--", or comes from stdin exactly as written:
  beacon enqueue --cwd ~/code/app -- "- fix the bug\n- add a test"
  printf '%s' "$PROMPT" | beacon enqueue -
Exit code 2: refused up front (the reason is printed; nothing was queued).`)
    .action(async (prompt: string, options: EnqueueOptions) => {
      const text = prompt === '-' ? readFileSync(0, 'utf8') : prompt;
      if (!text.trim()) throw new CliError('The prompt is empty (only whitespace): there is nothing for the agent to do', REFUSED);
      if (options.worktree && !options.commitment) throw new CliError('--worktree needs --commitment <id>', REFUSED);
      await withConfiguredSource(async (opened) => {
        const input = options.followUp ? await followUpInput(opened, options.followUp, text, options) : newInput(opened, text, options);
        await checkUpFront(opened, input);
        const command = await opened.source.enqueue(input);
        process.stdout.write(options.json ? JSON.stringify(command) + '\n' : command.id + '\n');
      });
    });
}

function newInput({ loaded }: ConfiguredSource, prompt: string, options: EnqueueOptions): NewCommand {
  return {
    prompt,
    workingDirectory: resolve(options.cwd ?? process.cwd()),
    agent: options.agent ?? loaded.config.execution.default_agent,
    flags: options.flag,
    timeoutSeconds: options.timeout ?? null,
    targetMachineId: options.target ?? null,
    commitmentId: options.commitment ?? null,
    withWorktree: options.worktree ?? false,
    approvalRequired: options.onApprove !== undefined,
    onApprove: options.onApprove ?? null,
  };
}

async function followUpInput({ source, loaded }: ConfiguredSource, id: string, prompt: string, options: EnqueueOptions): Promise<NewCommand> {
  const clashing = (['cwd', 'agent', 'target', 'commitment', 'worktree', 'onApprove'] as const).filter((key) => options[key] !== undefined);
  if (clashing.length) throw new CliError(`--follow-up takes the directory, agent and machine of ${id}; drop ${clashing.map(optionName).join(', ')}`, REFUSED);
  const resolved = await resolveCommandId(source, id);
  if (!resolved.ok) throw new CliError(`Nothing to follow up: ${resolved.reason}`, REFUSED);
  const original = resolved.command;
  const plan = planFollowUp(original, prompt, { machineId: loaded.machineId, sourceKind: source.kind });
  if (!plan.ok) throw new CliError(plan.reason, REFUSED);
  return { ...plan.command, flags: [...(plan.command.flags ?? []), ...options.flag], timeoutSeconds: options.timeout ?? plan.command.timeoutSeconds ?? null };
}

/** Refuse now what this machine's executor would refuse (executor/new-command-check.ts, shared with the window). */
async function checkUpFront({ source, loaded }: ConfiguredSource, input: NewCommand): Promise<void> {
  const env = process.env;
  const check = checkNewCommand(
    { prompt: input.prompt, agent: input.agent, flags: input.flags ?? [], workingDirectory: input.workingDirectory, timeoutSeconds: input.timeoutSeconds, targetMachineId: input.targetMachineId },
    {
      config: loaded.config, configPath: loaded.path, machineId: loaded.machineId, sourceKind: source.kind,
      agentEnv: terminalEnvironment(env), homeDir: env.HOME || homedir(),
    },
  );
  if (!check.ok) throw new CliError(check.reason, REFUSED);
}

function optionName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CliError(`--timeout expects a positive number of seconds, got ${JSON.stringify(value)}`);
  return seconds;
}
