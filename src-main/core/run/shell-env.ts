import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ACTOR } from '../identity.js';

/** Folders where `claude` and node usually live, appended to PATH when present (never in front). */
function installFolders(home: string, env: NodeJS.ProcessEnv): string[] {
  const folders = [join(home, '.local', 'bin'), join(home, '.claude', 'local'), '/opt/homebrew/bin', '/usr/local/bin'];
  if (env.NVM_BIN) folders.push(env.NVM_BIN);
  const nvmVersions = join(env.NVM_DIR ?? join(home, '.nvm'), 'versions', 'node');
  const newestNvm = newestVersionDir(nvmVersions);
  if (newestNvm) folders.push(join(nvmVersions, newestNvm, 'bin'));
  for (const fnm of [join(home, '.local', 'share', 'fnm'), join(home, '.fnm'), join(home, 'Library', 'Application Support', 'fnm')]) {
    folders.push(join(fnm, 'aliases', 'default', 'bin'));
  }
  return folders.filter((folder) => existsSync(folder));
}

function newestVersionDir(dir: string): string | null {
  try {
    const versions = readdirSync(dir).filter((name) => /^v\d+\.\d+\.\d+$/.test(name));
    versions.sort((a, b) => compareVersions(b, a));
    return versions[0] ?? null;
  } catch {
    return null;
  }
}

function compareVersions(a: string, b: string): number {
  const pa = a.slice(1).split('.').map(Number);
  const pb = b.slice(1).split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

export interface LoginShellOptions {
  /** Default: env.SHELL, else /bin/sh. */
  shell?: string;
  /** Default 10 s. */
  timeoutMs?: number;
}

const cache = new WeakMap<object, Promise<Record<string, string>>>();
const reports = new WeakMap<object, LoginShellReport>();

/** How the login-shell environment was obtained, for `beacon doctor` and the tray's health line. */
export interface LoginShellReport {
  /** off: BEACON_LOGIN_SHELL=0; resolved: read from the shell; timed_out / failed: skipped, this process's environment used. */
  state: 'off' | 'resolved' | 'timed_out' | 'failed';
  shell: string | null;
  /** How long the shell took (null when it was not started). */
  ms: number | null;
}

/** The report of the resolution for this env (resolving it first if needed). */
export async function loginShellReport(env: NodeJS.ProcessEnv = process.env, options: LoginShellOptions = {}): Promise<LoginShellReport> {
  await loginShellEnvironment(env, options);
  return reports.get(env) ?? { state: 'off', shell: null, ms: null };
}

/**
 * The user's login-shell environment, resolved once ($SHELL -ilc, 10 s timeout, cached), so that a
 * Beacon started from Finder finds `claude`. BEACON_LOGIN_SHELL=0 uses this process's environment
 * instead (tests, and services whose unit sets the environment). If the shell fails, this process's
 * environment is used. Either way the usual install folders that exist are appended to PATH.
 */
export async function loginShellEnvironment(env: NodeJS.ProcessEnv = process.env, options: LoginShellOptions = {}): Promise<Record<string, string>> {
  if (env.BEACON_LOGIN_SHELL === '0') return stringEnv(env);
  let cached = cache.get(env);
  if (!cached) {
    cached = resolveLoginShell(env, options);
    cache.set(env, cached);
  }
  return { ...(await cached) };
}

async function resolveLoginShell(env: NodeJS.ProcessEnv, options: LoginShellOptions): Promise<Record<string, string>> {
  const shell = options.shell ?? env.SHELL ?? '/bin/sh';
  const started = performance.now();
  const read = await readShellEnvironment(shell, options.timeoutMs ?? 10_000, env);
  const fromShell = read === 'timed_out' ? null : read;
  reports.set(env, { state: read === 'timed_out' ? 'timed_out' : read ? 'resolved' : 'failed', shell, ms: Math.round(performance.now() - started) });
  return withInstallFolders(fromShell ?? stringEnv(env), env);
}

/**
 * This process's environment with the install folders, no shell started: for the CLI, which runs in a terminal
 * whose environment already came through the user's login shell (probing it again would cost every
 * `beacon enqueue` the time of their rc files).
 */
export function terminalEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return withInstallFolders(stringEnv(env), env);
}

function withInstallFolders(result: Record<string, string>, env: NodeJS.ProcessEnv): Record<string, string> {
  const home = result.HOME || env.HOME || homedir();
  const path = (result.PATH ?? '').split(delimiter).filter(Boolean);
  for (const folder of installFolders(home, env)) if (!path.includes(folder)) path.push(folder);
  result.PATH = path.join(delimiter);
  return result;
}

const TERM_GRACE_MS = 2000;

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  try {
    if (pid) process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Runs the shell with stdin ignored; the environment is printed between random markers. Null on failure. */
function readShellEnvironment(shell: string, timeoutMs: number, env: NodeJS.ProcessEnv): Promise<Record<string, string> | null | 'timed_out'> {
  const marker = `__BEACON_ENV_${randomBytes(8).toString('hex')}__`;
  const script = `printf '%s\\n' '${marker}'; /usr/bin/env; printf '%s\\n' '${marker}'`;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (value: Record<string, string> | null | 'timed_out'): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    let child: ReturnType<typeof spawn>;
    try {
      // detached: the shell leads its own group, so a timeout can kill whatever its rc files started.
      child = spawn(shell, ['-ilc', script], { stdio: ['ignore', 'pipe', 'ignore'], env: stringEnv(env), detached: true });
    } catch {
      return finish(null);
    }
    const timer = setTimeout(() => {
      // SIGTERM first, so the user's rc files can release what they hold (a SIGKILL mid-`pyenv rehash` left a
      // lock that made every later login shell wait 60 s); SIGKILL for what is still there after the grace.
      signalGroup(child.pid, 'SIGTERM');
      const pid = child.pid;
      setTimeout(() => signalGroup(pid, 'SIGKILL'), TERM_GRACE_MS).unref();
      finish('timed_out');
    }, timeoutMs);
    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout?.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 8 * 1024 * 1024) chunks.push(chunk);
    });
    child.on('error', () => finish(null));
    child.on('close', () => finish(parseBetweenMarkers(Buffer.concat(chunks).toString('utf8'), marker)));
  });
}

/** `env` output between the markers; a line that does not start a NAME= continues the previous value. */
export function parseBetweenMarkers(output: string, marker: string): Record<string, string> | null {
  const start = output.indexOf(marker + '\n');
  const end = output.lastIndexOf(marker);
  if (start < 0 || end <= start) return null;
  const body = output.slice(start + marker.length + 1, end).replace(/\n$/, '');
  const result: Record<string, string> = {};
  let last: string | null = null;
  for (const line of body.split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(line);
    if (match) {
      last = match[1] as string;
      result[last] = match[2] as string;
    } else if (last !== null) {
      result[last] += '\n' + line;
    }
  }
  return result.PATH !== undefined ? result : null;
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (typeof value === 'string') result[key] = value;
  return result;
}

export interface AgentEnvExtras {
  commandId: string;
  /** The agent profile's `env` rule (agents.<name>.env). */
  rule?: AgentEnvRule;
  workspaceId: string | null;
  /** Extra MENTU_* variables (worktree: MENTU_COMMITMENT, MENTU_WORKTREE, MENTU_WORKSPACE). */
  extra?: Record<string, string>;
}

/**
 * The agent's own authentication is the one kind of secret it must receive, or it cannot work:
 * CLAUDE_CODE_OAUTH_TOKEN (a Max subscription token, how Mentu's executors run claude) and
 * ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN (API billing or a gateway).
 */
const AGENT_AUTH_ALLOWLIST = new Set(['CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN']);

/** Beacon's own credentials: never passed, whatever an agent's `env.allow` says. */
const BEACON_OWN = /^(SUPABASE_|BEACON_\w*(KEY|TOKEN|SECRET|PASSWORD)|MENTU_(PROXY_TOKEN|API_KEY))/;

const SECRET_NAMES = new Set(['BEACON_SUPABASE_KEY', 'BEACON_MENTU_PROXY_TOKEN', 'MENTU_PROXY_TOKEN', 'MENTU_API_KEY', 'GITHUB_TOKEN', 'GH_TOKEN', 'DATABASE_URL', 'PGPASSWORD', 'MYSQL_PWD']);
/** Names that look secret-like but are not (the shell's working directories). */
const NOT_SECRETS = new Set(['PWD', 'OLDPWD']);
const SECRET_PATTERNS = [
  /^SUPABASE_/,
  /^AWS_/,
  /(^|_)(KEY|TOKEN|SECRET|SECRETS|PASSPHRASE|CREDENTIALS?|APIKEY|PAT|JWT|PASS|PWD|PIN|AUTH|COOKIE|SESSION|SALT|SIGNATURE|CERT|PEM|DSN)$/,
  /(^|_)(API_?KEY|ACCESS_KEY|SECRET_KEY|PRIVATE_KEY|TOKEN|SECRET|PASS|PASSWORD|JWT|KEY|CREDENTIALS?)_/,
  /PASSWORD|PASSWD|PASSPHRASE/,
  // Bearer URLs: whoever holds a webhook URL or an error-reporting DSN can post as its owner.
  /WEBHOOK/,
  /(CONNECTION_?STRING|CONN_?STR)/,
];
/** Values that carry a credential whatever the name: a URL with a password, a connection string's key. */
const SECRET_VALUES = [
  /^[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:[^\s@]+@/i, // scheme://user:password@host (the password may hold '/')
  /(^|;)\s*(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd|ClientSecret)\s*=/i, // connection strings
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^(ghp|gho|ghu|ghs|github_pat|glpat|xox[abpr]|sk_live|sk-ant|sk-proj)[-_]/, // well-known token prefixes
  /^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./, // a JWT
];

/** An agent's own `env` rule from beacon.yaml (agents.<name>.env). */
export interface AgentEnvRule {
  allow?: string[];
  deny?: string[];
}

function matchesAny(name: string, patterns: string[] | undefined): boolean {
  return (patterns ?? []).some((pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(name));
}

/** Whether a variable looks like it holds a secret (by name, or by a credential in its value). */
export function isSecretVariable(name: string, value: string): boolean {
  const upper = name.toUpperCase();
  if (AGENT_AUTH_ALLOWLIST.has(upper)) return false;
  if (NOT_SECRETS.has(upper)) return false;
  if (SECRET_NAMES.has(upper) || SECRET_PATTERNS.some((pattern) => pattern.test(upper))) return true;
  return SECRET_VALUES.some((pattern) => pattern.test(value));
}

/**
 * Whether the agent gets this variable: never Beacon's own credentials; `deny` keeps it out; `allow` lets a
 * secret-looking one through (the owner's decision in beacon.yaml); otherwise the built-in rule decides.
 */
export function passesToAgent(name: string, value: string, rule: AgentEnvRule = {}): boolean {
  if (BEACON_OWN.test(name.toUpperCase())) return false;
  if (matchesAny(name, rule.deny)) return false;
  if (matchesAny(name, rule.allow)) return true;
  return !isSecretVariable(name, value);
}

/**
 * The agent's environment: the allowlisted base plus MENTU_BRIDGE_COMMAND_ID, MENTU_WORKSPACE_ID and
 * MENTU_ACTOR. Any Supabase key, token or other secret-looking variable is removed.
 */
export function agentEnvironment(base: Record<string, string>, extras: AgentEnvExtras): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (typeof value === 'string' && passesToAgent(name, value, extras.rule)) env[name] = value;
  }
  delete env.MENTU_WORKSPACE_ID; // only ever this command's workspace
  env.MENTU_BRIDGE_COMMAND_ID = extras.commandId;
  if (extras.workspaceId) env.MENTU_WORKSPACE_ID = extras.workspaceId;
  env.MENTU_ACTOR = ACTOR;
  for (const [name, value] of Object.entries(extras.extra ?? {})) env[name] = value;
  return env;
}
