import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { ModelServer } from '../model-server/index.js';

/**
 * The real Claude Code CLI (the pinned devDependency) pointed at the scripted model server: a scratch HOME, a fake
 * key, non-essential traffic off, nothing reaching beyond 127.0.0.1.
 */

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CLAUDE_BIN = join(REPO, 'node_modules/.bin/claude');
export const CLAUDE_VERSION = '2.1.197';
export const FAKE_API_KEY = 'sk-ant-scripted-test-key';

/** The options every unattended run uses; the prompt goes after `--`. */
export const CLAUDE_PRINT_ARGS = ['-p', '--output-format', 'stream-json', '--verbose'];

export interface ClaudeHome {
  /** The scratch HOME (its ~/.claude holds the sessions). */
  home: string;
  cleanup(): void;
}

export function makeClaudeHome(): ClaudeHome {
  const home = realpathSync(mkdtempSync(join(tmpdir(), 'beacon-claude-home-')));
  mkdirSync(join(home, '.claude'), { recursive: true });
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

export interface ClaudeEnvOptions {
  /** false: no ANTHROPIC_API_KEY at all (a logged-out CLI). */
  apiKey?: string | false;
  /** CLAUDE_CODE_MAX_RETRIES, so an error mode does not spend minutes in the CLI's back-off. */
  maxRetries?: number;
}

/** The variables that point the real CLI at the model server (merge them over a test's environment). */
export function claudeEnv(server: Pick<ModelServer, 'url'> | null, home: string, options: ClaudeEnvOptions = {}): Record<string, string> {
  const env: Record<string, string> = {
    HOME: home,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
  };
  if (server) env.ANTHROPIC_BASE_URL = server.url;
  if (options.apiKey !== false) env.ANTHROPIC_API_KEY = options.apiKey ?? FAKE_API_KEY;
  if (options.maxRetries !== undefined) env.CLAUDE_CODE_MAX_RETRIES = String(options.maxRetries);
  return env;
}

/**
 * Variables of the machine running the tests that would change the CLI's behaviour: a real key, base URL or config
 * dir, and IS_SANDBOX (set on these CI machines: it lets root bypass permissions and changes the CLI's 529 handling).
 */
const INHERITED_CLAUDE_VARIABLE = /^(ANTHROPIC_|CLAUDE_|CLAUDECODE|IS_SANDBOX$)/;

/** A clean base environment: nothing of the machine's own Claude setup leaks into a test's CLI. */
export function withoutClaudeVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of Object.keys(copy)) {
    if (INHERITED_CLAUDE_VARIABLE.test(name)) delete copy[name];
  }
  return copy;
}

export interface RunClaudeOptions extends ClaudeEnvOptions {
  server: Pick<ModelServer, 'url'> | null;
  home: string;
  cwd: string;
  /** Options placed before `--`. */
  args?: string[];
  /** Placed after `--`; null runs the CLI with exactly `args` (e.g. `auth status`). */
  prompt: string | null;
  extraEnv?: Record<string, string>;
  timeoutMs?: number;
}

export interface ClaudeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Each stdout line that parses as JSON. */
  lines: Record<string, unknown>[];
  /** The `result` line, if any. */
  result: Record<string, unknown> | null;
  durationMs: number;
}

/** Runs the real CLI to its end with stdin closed (an open, empty stdin can make `-p` wait). */
export function runClaude(options: RunClaudeOptions): Promise<ClaudeRun> {
  const argv = options.prompt === null
    ? [...(options.args ?? [])]
    : [...CLAUDE_PRINT_ARGS, ...(options.args ?? []), '--', options.prompt];
  const env = { ...withoutClaudeVariables(process.env), ...claudeEnv(options.server, options.home, options), ...options.extraEnv };
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(CLAUDE_BIN, argv, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const lines = parseJsonLines(stdout);
      resolvePromise({
        code, signal, stdout, stderr, lines,
        result: [...lines].reverse().find((line) => line.type === 'result') ?? null,
        durationMs: performance.now() - started,
      });
    });
  });
}

export function parseJsonLines(text: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.replace(/\r$/, '');
    if (!trimmed.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(trimmed) as Record<string, unknown>);
    } catch {
      // A partial or foreign line: not ours to judge here.
    }
  }
  return lines;
}

export interface ClaudeProfileOptions {
  /** Extra options of the profile, placed before the prompt (e.g. ['--permission-mode', 'acceptEdits']). */
  extraArgs?: string[];
  /** The profile's allow-list of queue flags, when a test sets one. */
  allowedFlags?: string[];
  /** agents.claude.permissions (mode, allow, deny, deny_unanswered_after_seconds, sandbox), when a test sets it. */
  permissions?: Record<string, unknown>;
}

/**
 * A beacon.yaml agent profile that runs the real CLI: options first, then `--`, then the prompt. The model server,
 * key and scratch HOME reach the CLI through the executor's environment (see claudeEnv), as a user's login
 * environment would.
 */
export function claudeAgentProfile(options: ClaudeProfileOptions = {}): Record<string, unknown> {
  const profile: Record<string, unknown> = {
    command: CLAUDE_BIN,
    args: [...CLAUDE_PRINT_ARGS, ...(options.extraArgs ?? []), '--', '{prompt}'],
    output: 'stream-json',
  };
  if (options.allowedFlags) profile.allowed_flags = options.allowedFlags;
  if (options.permissions) profile.permissions = options.permissions;
  return profile;
}

export interface RealClaudeSandbox {
  /** The MENTU_HOME holding beacon.yaml. */
  home: string;
  /** The environment the test's Beacon processes run with; the CLI inherits it. */
  env: NodeJS.ProcessEnv;
}

/**
 * Makes the real CLI the sandbox's `claude` agent (and, unless makeDefault is false, its default agent) in
 * beacon.yaml, and points the sandbox environment at the model server with a scratch HOME.
 * Returns the scratch HOME (its cleanup is the caller's).
 */
export function useRealClaude(
  sandbox: RealClaudeSandbox,
  server: Pick<ModelServer, 'url'>,
  options: ClaudeProfileOptions & ClaudeEnvOptions & { makeDefault?: boolean } = {},
): ClaudeHome {
  const file = join(sandbox.home, 'beacon.yaml');
  const config = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as Record<string, Record<string, unknown>>;
  config.agents = { ...(config.agents ?? {}), claude: claudeAgentProfile(options) };
  if (options.makeDefault !== false) config.execution = { ...(config.execution ?? {}), default_agent: 'claude' };
  writeFileSync(file, stringifyYaml(config));
  const claudeHome = makeClaudeHome();
  for (const name of Object.keys(sandbox.env)) if (INHERITED_CLAUDE_VARIABLE.test(name)) delete sandbox.env[name];
  Object.assign(sandbox.env, claudeEnv(server, claudeHome.home, options));
  return claudeHome;
}
