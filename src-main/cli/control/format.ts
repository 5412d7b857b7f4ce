import type { Command } from '../../core/contract/command.js';
import { describeExitCode } from '../../core/contract/exit-code.js';

/** Human-readable renderings of commands for `beacon list` and `beacon show` (--json prints the Command itself). */
export function formatList(commands: Command[]): string {
  if (!commands.length) return 'No commands yet. Add one with: beacon enqueue "<prompt>" --cwd <dir>\n';
  const rows = commands.map((c) => [c.id, statusCell(c), describeExitCode(c.exitCode, c.status) ?? '-', c.agent, c.createdAt, firstLine(c.prompt, 50)]);
  const header = ['ID', 'STATUS', 'EXIT', 'AGENT', 'CREATED', 'PROMPT'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function formatCommand(c: Command): string {
  const fields: [string, string | null][] = [
    ['id', c.id],
    ['status', c.status],
    ['exit code', describeExitCode(c.exitCode, c.status)],
    [c.status === 'completed' ? 'note' : 'error', c.errorMessage],
    ['agent', c.agent],
    ['directory', c.workingDirectory],
    ['timeout', c.timeoutSeconds === null ? null : `${c.timeoutSeconds}s`],
    ['target', c.targetMachineId],
    ['claimed by', c.claimedByMachineId],
    ['created', c.createdAt],
    ['claimed', c.claimedAt],
    ['started', c.startedAt],
    ['completed', c.completedAt],
    ['session', c.summary?.sessionId ?? null],
    ['model', c.summary?.model ?? null],
    ['cost', c.summary?.costUsd == null ? null : `$${c.summary.costUsd.toFixed(4)}`],
    ['turns', c.summary?.numTurns == null ? null : String(c.summary.numTurns)],
    ['tokens', c.summary?.inputTokens == null ? null : `${c.summary.inputTokens} in, ${c.summary.outputTokens ?? 0} out`],
    ['cli', c.summary?.cliVersion ?? null],
    ['refused', (c.summary?.permissionDenials ?? []).map((d) => (d.target ? `${d.tool} ${d.target}` : d.tool)).join('\n            ') || null],
    ['requests', requestsLine(c)],
    ['result', c.summary?.resultText ?? null],
  ];
  const shown = fields.filter(([, v]) => v !== null && v !== '') as [string, string][];
  return shown.map(([k, v]) => `${(k + ':').padEnd(12)}${v}`).join('\n') + `\nprompt:\n${c.prompt}\n`;
}

/** The run's permission requests (docs/permissions.md): "2 asked, 1 allowed, 1 denied (1 no answer)". */
function requestsLine(c: Command): string | null {
  const requests = c.summary?.permissionRequests;
  if (!requests?.asked) return null;
  return `${requests.asked} asked, ${requests.allowed} allowed, ${requests.denied} denied${requests.unanswered ? ` (${requests.unanswered} no answer)` : ''}`;
}

/** "completed, 3 refused" when the CLI refused tool uses of a finished run. */
function statusCell(c: Command): string {
  const refused = c.summary?.permissionDenialCount ?? 0;
  return refused ? `${c.status}, ${refused} refused` : c.status;
}

function firstLine(text: string, max: number): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > max ? line.slice(0, max - 1) + '…' : line;
}
