import type { Command } from 'commander';
import { mentuPaths } from '../../core/paths.js';
import { runDoctorChecks, type DoctorCheck } from '../control/doctor-checks.js';

/** `beacon doctor`: agent, config, lock, command source, control socket; non-zero when something is broken. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the agent, the config, the lock, the command source and the control socket')
    .option('--json', 'print the checks as JSON')
    .action(async (options: { json?: boolean }) => {
      const checks = await runDoctorChecks(mentuPaths(), process.env);
      const ok = !checks.some((c) => c.level === 'problem');
      process.stdout.write(options.json ? JSON.stringify({ ok, checks }) + '\n' : render(checks, ok));
      if (!ok) process.exitCode = 1;
    });
}

const MARK: Record<DoctorCheck['level'], string> = { ok: 'ok  ', info: 'info', warning: 'warn', problem: 'FAIL' };

function render(checks: DoctorCheck[], ok: boolean): string {
  const lines = checks.map((c) => {
    const detail = c.detail.split('\n').join('\n        ');
    return `[${MARK[c.level]}] ${c.name}: ${detail}${c.fix ? `\n        → ${c.fix}` : ''}`;
  });
  lines.push(ok ? 'No problems found.' : `${checks.filter((c) => c.level === 'problem').length} problem(s) found.`);
  return lines.join('\n') + '\n';
}
