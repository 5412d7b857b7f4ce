import { homedir } from 'node:os';
import type { EnqueueOptions, EnqueueRequest, EnqueueResult } from '../contract/types.js';
import { effectiveSource } from '../config/schema.js';
import type { Executor } from '../executor.js';
import { checkNewCommand } from '../executor/new-command-check.js';
import { loginShellEnvironment } from '../run/shell-env.js';
import { checkWorkingDirectory, expandAllowedEntry } from '../run/workdir.js';

/**
 * The New command form's two actions over the running executor: the choices it offers, and queueing with
 * the same up-front checks as `beacon enqueue` (executor/new-command-check.ts), in the executor's own source.
 */
const RECENT_SCANNED = 100;
const RECENT_SHOWN = 8;

export function createEnqueueActions(executor: Executor, env: NodeJS.ProcessEnv): {
  enqueue(request: EnqueueRequest): Promise<EnqueueResult>;
  getEnqueueOptions(): Promise<EnqueueOptions>;
} {
  const homeDir = (): string => env.HOME || homedir();

  return {
    enqueue: async (request) => {
      const source = executor.source();
      const loaded = executor.config();
      if (!source || !loaded) return { ok: false, message: 'Beacon is still starting; try again in a moment' };
      const check = checkNewCommand(request, {
        config: loaded.config, configPath: loaded.path, machineId: loaded.machineId, sourceKind: source.kind, homeDir: homeDir(),
        agentEnv: await loginShellEnvironment(env),
      });
      if (!check.ok) return { ok: false, message: check.reason };
      const command = await source.enqueue({
        prompt: request.prompt,
        workingDirectory: check.workingDirectory,
        agent: check.agent,
        timeoutSeconds: request.timeoutSeconds ?? null,
        targetMachineId: request.targetMachineId ?? null,
      });
      return { ok: true, message: `Queued ${command.id.slice(0, 8)}`, commandId: command.id };
    },

    getEnqueueOptions: async () => {
      const loaded = executor.config();
      if (!loaded) throw new Error('Beacon is still starting; try again in a moment');
      const { config } = loaded;
      const home = homeDir();
      const allowed = config.execution.allowed_directories.map((entry) => expandAllowedEntry(entry, home));
      const recent: string[] = [];
      const commands = (await executor.source()?.list({ limit: RECENT_SCANNED }).catch(() => [])) ?? [];
      for (const command of commands) {
        const dir = command.workingDirectory;
        if (recent.length >= RECENT_SHOWN || recent.includes(dir)) continue;
        // Only what would be accepted now: a folder since removed or no longer allowed is not offered.
        if (checkWorkingDirectory(dir, config.execution.allowed_directories, home).ok) recent.push(dir);
      }
      const sourceKind = executor.source()?.kind ?? effectiveSource(config);
      return {
        sourceKind,
        allowedDirectories: allowed,
        recentDirectories: recent,
        agents: Object.keys(config.agents),
        defaultAgent: config.execution.default_agent,
        defaultTimeoutSeconds: config.execution.default_timeout_seconds,
        machineId: loaded.machineId,
        machines: sourceKind === 'supabase' ? executor.snapshot().fleet.map((m) => ({ id: m.id, name: m.name, self: m.self })) : [],
      };
    },
  };
}

