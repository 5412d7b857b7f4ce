import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createCommandSource } from '../../core/commands/create-source.js';
import { loadConfig, type LoadedConfig } from '../../core/config/load.js';
import { effectiveSource } from '../../core/config/schema.js';
import { probeAgentVersion, probeClaudeLogin } from '../../core/executor/agent-probe.js';
import { isClaudeProfile } from '../../core/run/agent-flags.js';
import { readPaused } from '../../core/executor/pause-state.js';
import { describeHolder, readLockHolders } from '../../core/lock/executor-lock.js';
import { createLogger } from '../../core/logger.js';
import type { MentuPaths } from '../../core/paths.js';
import { folderPermissionHint, isPermissionDenied, protectedFolderOf } from '../../core/run/folder-permission.js';
import { agentArgsNotes, resolveAgentCommand } from '../../core/run/agents.js';
import { loginShellEnvironment, loginShellReport } from '../../core/run/shell-env.js';
import { permissionNotes } from '../../core/run/permission-notes.js';
import { ownerPolicy } from '../../core/run/permission-policy.js';
import { sandboxSupport } from '../../core/run/sandbox.js';
import { createHeadlessSecretStore } from '../../core/secrets.js';
import type { BeaconSnapshot } from '../../core/contract/types.js';
import { callExecutor, ExecutorNotRunningError } from './client.js';
import { authChecks } from './doctor-auth.js';

import type { DoctorCheck } from './doctor-check.js';

export type { DoctorCheck } from './doctor-check.js';

export async function runDoctorChecks(paths: MentuPaths, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  let loaded: LoadedConfig | null = null;
  try {
    loaded = await loadConfig(paths, env);
    checks.push({ name: 'config', level: 'ok', detail: `${loaded.path} is valid (machine ${loaded.machineId})`, fix: null });
  } catch (error) {
    checks.push({ name: 'config', level: 'problem', detail: message(error), fix: `Fix ${paths.config} (or move it away to get the defaults written again).` });
  }
  if (loaded) {
    checks.push(...(await agentChecks(loaded, env)));
    checks.push(...directoryChecks(loaded));
    checks.push(...folderPermissionChecks(loaded.config.execution.allowed_directories, env.HOME || homedir()));
    checks.push(await sourceCheck(loaded, paths, env));
    checks.push(...(await authChecks(loaded, paths, env, platform)));
  }
  checks.push(await lockCheck(paths));
  checks.push(await controlCheck(paths));
  if (readPaused(paths.state)) checks.push({ name: 'paused', level: 'warning', detail: 'The executor is paused: it claims no new commands.', fix: 'beacon resume' });
  return checks;
}

async function agentChecks(loaded: LoadedConfig, env: NodeJS.ProcessEnv): Promise<DoctorCheck[]> {
  const config = loaded.config;
  const agentEnv = await loginShellEnvironment(env);
  const checks: DoctorCheck[] = [];
  const names = Object.keys(config.agents);
  if (!config.agents[config.execution.default_agent]) {
    checks.push({
      name: 'agent',
      level: 'problem',
      detail: `The default agent "${config.execution.default_agent}" is not defined (agents: ${names.join(', ') || 'none'})`,
      fix: `Set execution.default_agent in ${loaded.path} to one of the agents, or add it under agents.`,
    });
  }
  for (const name of names) {
    const isDefault = name === config.execution.default_agent;
    const brokenLevel = isDefault ? 'problem' : 'warning';
    const fix = `Install it, or set agents.${name}.command in ${loaded.path} to its absolute path.`;
    const resolved = resolveAgentCommand(config.agents[name]!, agentEnv);
    if (!resolved.ok) {
      checks.push({ name: `agent ${name}`, level: brokenLevel, detail: resolved.reason, fix });
      continue;
    }
    const version = await probeAgentVersion(resolved.path, agentEnv);
    checks.push(
      version.ok
        ? { name: `agent ${name}`, level: 'ok', detail: `${resolved.path} (${version.version || 'no version printed'})`, fix: null }
        : {
            name: `agent ${name}`, level: brokenLevel, detail: version.reason,
            fix: version.timedOut ? `Run \`${resolved.path} --version\` in a terminal to see what it waits for (a first start, an update prompt), then run doctor again.` : fix,
          },
    );
    if (version.ok && isClaudeProfile(config.agents[name]!)) checks.push(await loginCheck(name, resolved.path, agentEnv, brokenLevel));
  }
  checks.push(await shellCheck(env));
  const notes = permissionNotes(config, {
    configPath: loaded.path, agentEnv, sandbox: sandboxSupport(agentEnv), uid: typeof process.getuid === 'function' ? process.getuid() : null,
  });
  for (const note of notes) checks.push({ name: `agent ${note.agent} permissions`, level: note.level, detail: note.detail, fix: note.fix });
  if (!notes.some((note) => note.level === 'problem')) {
    for (const [name, profile] of Object.entries(config.agents)) {
      const policy = ownerPolicy(profile);
      if (!policy) continue;
      const sandbox = policy.sandbox !== 'off' && sandboxSupport(agentEnv).available ? 'the CLI\'s sandbox on' : 'no sandbox';
      checks.push({ name: `agent ${name} permissions`, level: 'ok', detail: `mode ${policy.mode}, unanswered requests denied after ${policy.denyUnansweredAfterSeconds} s, ${sandbox}`, fix: null });
    }
  }
  for (const note of agentArgsNotes(loaded)) {
    checks.push({
      name: `agent ${note.agent} argv`,
      level: note.state === 'upgraded' ? 'info' : 'warning',
      detail: note.detail,
      fix: note.state === 'corrected' ? `Set agents.${note.agent}.args in ${loaded.path} as shown (options, then "--", then "{prompt}").` : null,
    });
  }
  return checks;
}

async function loginCheck(name: string, path: string, agentEnv: Record<string, string>, brokenLevel: DoctorCheck['level']): Promise<DoctorCheck> {
  const login = await probeClaudeLogin(path, agentEnv);
  const check = `agent ${name} login`;
  if (login.loggedIn === true) return { name: check, level: 'ok', detail: `logged in: ${login.detail}`, fix: null };
  if (login.loggedIn === false) {
    return {
      name: check,
      level: brokenLevel,
      detail: 'not logged in: every command would fail with "Not logged in"',
      fix: 'Run `claude` in a terminal and use /login, or give Beacon an ANTHROPIC_API_KEY (the agent inherits it).',
    };
  }
  return { name: check, level: 'warning', detail: login.detail, fix: null };
}

async function shellCheck(env: NodeJS.ProcessEnv): Promise<DoctorCheck> {
  const report = await loginShellReport(env);
  const took = report.ms === null ? '' : ` after ${(report.ms / 1000).toFixed(1)} s`;
  switch (report.state) {
    case 'off':
      return { name: 'login shell', level: 'info', detail: "not used (BEACON_LOGIN_SHELL=0): the agent gets Beacon's own environment", fix: null };
    case 'resolved':
      return { name: 'login shell', level: 'ok', detail: `the environment of \`${report.shell} -ilc\` resolved in ${((report.ms ?? 0) / 1000).toFixed(1)} s`, fix: null };
    case 'timed_out':
      return {
        name: 'login shell',
        level: 'warning',
        detail: `\`${report.shell} -ilc\` did not finish${took} and was skipped: the agent gets Beacon's own environment (PATH may miss claude)`,
        fix: 'Look for a command in your shell startup files (~/.zshrc, ~/.bash_profile) that waits for input or the network.',
      };
    case 'failed':
      return { name: 'login shell', level: 'warning', detail: `\`${report.shell} -ilc\` failed${took} and was skipped: the agent gets Beacon's own environment`, fix: null };
  }
}

function directoryChecks(loaded: LoadedConfig): DoctorCheck[] {
  return loaded.config.execution.allowed_directories
    .filter((dir) => dir !== '~' && !dir.startsWith('~/'))
    .filter((dir) => !existsSync(dir) || !statSync(dir).isDirectory())
    .map((dir) => ({
      name: 'allowed directory',
      level: 'warning' as const,
      detail: `${dir} (in execution.allowed_directories) is not an existing directory`,
      fix: `Create it or remove it from execution.allowed_directories in ${loaded.path}.`,
    }));
}

/**
 * Allowed directories inside a folder macOS protects (Desktop, Documents, Downloads, iCloud Drive): a run
 * there fails with "Operation not permitted" until the permission is granted. Read here as this process
 * (the terminal's permission); the menu-bar app asks for its own.
 */
export function folderPermissionChecks(
  allowedDirectories: string[],
  homeDir: string,
  platform: NodeJS.Platform = process.platform,
  readDirectory: (dir: string) => void = (dir) => void readdirSync(dir),
): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  for (const entry of allowedDirectories) {
    const dir = entry === '~' ? homeDir : entry.startsWith('~/') ? join(homeDir, entry.slice(2)) : entry;
    const folder = protectedFolderOf(dir, homeDir, platform);
    if (!folder) continue;
    try {
      readDirectory(dir);
      checks.push({
        name: 'folder permission',
        level: 'info',
        detail: `${dir} is in your ${folder.name} folder, which macOS protects: the first command there makes macOS ask whether Beacon may read it`,
        fix: `If a run there fails with "Operation not permitted": ${folderPermissionHint(folder)}.`,
      });
    } catch (error) {
      if (!isPermissionDenied(error)) continue; // a missing directory is directoryChecks' to report
      checks.push({
        name: 'folder permission',
        level: 'problem',
        detail: `${dir} cannot be read from here: Operation not permitted`,
        fix: `${folderPermissionHint(folder, 'your terminal app')}; commands run by the menu-bar app need the same permission for Beacon.`,
      });
    }
  }
  return checks;
}

async function sourceCheck(loaded: LoadedConfig, paths: MentuPaths, env: NodeJS.ProcessEnv): Promise<DoctorCheck> {
  const kind = effectiveSource(loaded.config);
  try {
    const source = await createCommandSource({ loaded, paths, env, secrets: createHeadlessSecretStore(paths, env), logger: createLogger({ level: 'error' }) });
    try {
      const pending = await withTimeout(source.list({ statuses: ['pending'], limit: 1000 }), 10_000, 'listing commands');
      const where = kind === 'local' ? paths.localDb : loaded.config.supabase.url;
      return { name: 'command source', level: 'ok', detail: `${kind} (${where}): reachable, ${pending.length} pending`, fix: null };
    } finally {
      await source.stop().catch(() => {});
    }
  } catch (error) {
    const fix = kind === 'local' ? `Check that ${paths.localDb} is writable.` : `Check supabase.url, the key and the network (${paths.config}).`;
    return { name: 'command source', level: 'problem', detail: `${kind}: ${message(error)}`, fix };
  }
}

async function lockCheck(paths: MentuPaths): Promise<DoctorCheck> {
  try {
    const holders = await readLockHolders(paths);
    if (!holders.length) return { name: 'executor lock', level: 'info', detail: `free (${paths.executorLock})`, fix: null };
    const live = holders.filter((h) => h.alive);
    if (!live.length) return { name: 'executor lock', level: 'info', detail: `held by a dead process (taken over at the next start): ${holders.map(describeHolder).join('; ')}`, fix: null };
    return { name: 'executor lock', level: 'info', detail: live.map(describeHolder).join('\n'), fix: null };
  } catch (error) {
    return { name: 'executor lock', level: 'problem', detail: message(error), fix: `Check ${paths.executorLock}.` };
  }
}

async function controlCheck(paths: MentuPaths): Promise<DoctorCheck> {
  if (!existsSync(paths.controlSocket)) return { name: 'control socket', level: 'info', detail: 'no executor is running here (beacon run starts one)', fix: null };
  try {
    const snapshot = (await callExecutor(paths.controlSocket, 'getSnapshot', [], 5000)) as BeaconSnapshot;
    const running = snapshot.commands.filter((c) => c.status === 'running').length;
    return {
      name: 'control socket',
      level: 'ok',
      detail: `the executor answers on ${paths.controlSocket}: ${snapshot.role}${snapshot.paused ? ', paused' : ''}, ${running} running${snapshot.problem ? `; problem: ${snapshot.problem}` : ''}`,
      fix: null,
    };
  } catch (error) {
    if (error instanceof ExecutorNotRunningError) {
      return { name: 'control socket', level: 'info', detail: `${paths.controlSocket} is left over from an executor that is gone (removed at the next start)`, fix: null };
    }
    return { name: 'control socket', level: 'problem', detail: message(error), fix: 'The executor did not answer: look at its log, or restart it.' };
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000}s`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
