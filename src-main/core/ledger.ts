import type { CommandOutcome } from './contract/command.js';
import { silentLogger, type Logger } from './logger.js';
import type { SecretStore } from './secrets.js';

/**
 * Ledger evidence through the Mentu proxy (docs/mentu-schema.md#ledger), as the Bridge daemon does it but naming
 * Beacon: a `task` capture when a command is claimed, an `evidence` capture when it ends. The ledger is a
 * record, not a gate: every failure is logged (never the token) and swallowed, so it can never fail a command.
 */

export interface LedgerTask {
  agent: string;
  prompt: string;
  workingDirectory: string;
}

export interface LedgerClient {
  /** True when a proxy URL and a token are configured. */
  readonly enabled: boolean;
  /** Capture the task; returns the ledger id of the capture (the "Task ref"), or null. Never throws. */
  captureTask(task: LedgerTask): Promise<string | null>;
  /** Capture the result, referring to the task capture when there was one. Never throws. */
  captureEvidence(task: LedgerTask, outcome: CommandOutcome, taskRef: string | null): Promise<string | null>;
}

export interface LedgerOptions {
  proxyUrl: string | null;
  token: string | null;
  /** The machine's display name, shown in the task capture. */
  machineName: string;
  fetch?: typeof fetch;
  logger?: Logger;
  /** Per request (default 10 s). */
  timeoutMs?: number;
}

const OUTPUT_PREVIEW = 500;
const ERROR_PREVIEW = 200;
const TASK_PREVIEW = 100;

export function taskCaptureBody(task: LedgerTask, machineName: string): string {
  return `Beacon Task [${task.agent}]: ${task.prompt}\n\nDirectory: ${task.workingDirectory}\nMachine: ${machineName}`;
}

function head(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

function tail(text: string, max: number): string {
  return text.length > max ? `...${text.slice(text.length - max)}` : text;
}

function formatDuration(outcome: CommandOutcome): string {
  if (!outcome.startedAt) return 'not started';
  const ms = Date.parse(outcome.completedAt) - Date.parse(outcome.startedAt);
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m ${Math.round(seconds - minutes * 60)}s`;
}

export function evidenceCaptureBody(task: LedgerTask, outcome: CommandOutcome, taskRef: string | null): string {
  const exit = `exit ${outcome.exitCode ?? 'none'}`;
  const success = outcome.status === 'completed';
  const lines = [
    `Beacon Result [${task.agent}]: ${success ? 'SUCCESS' : outcome.status.toUpperCase()} (${exit})`,
    '',
    `Task: ${head(task.prompt, TASK_PREVIEW)}`,
    '',
    `Duration: ${formatDuration(outcome)}`,
    '',
  ];
  if (success) {
    // The agent's final answer says more than the raw stream; without one, the end of the output does.
    const result = outcome.summary?.resultText;
    lines.push('Output:', result ? head(result, OUTPUT_PREVIEW) : tail(outcome.stdoutTail, OUTPUT_PREVIEW));
  } else {
    const error = outcome.errorMessage || outcome.summary?.errorText || outcome.stderr || outcome.stdoutTail;
    lines.push(`Error: ${head(error ?? '', ERROR_PREVIEW)}`);
  }
  if (taskRef) lines.push('', `Task ref: ${taskRef}`);
  return lines.join('\n');
}

const disabledClient: LedgerClient = {
  enabled: false,
  captureTask: () => Promise.resolve(null),
  captureEvidence: () => Promise.resolve(null),
};

export function createLedgerClient(options: LedgerOptions): LedgerClient {
  const { proxyUrl, token } = options;
  if (!proxyUrl || !token) return disabledClient;
  const logger = options.logger ?? silentLogger;
  logger.redact(token);
  const doFetch = options.fetch ?? fetch;
  const endpoint = `${proxyUrl.replace(/\/+$/, '')}/ops`;
  const timeoutMs = options.timeoutMs ?? 10_000;

  const capture = async (kind: 'task' | 'evidence', body: string): Promise<string | null> => {
    try {
      const response = await doFetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Proxy-Token': token },
        body: JSON.stringify({ op: 'capture', body, kind }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      if (!response.ok) {
        const hint = response.status === 401 || response.status === 403 ? ' (check the mentu_proxy_token secret)' : '';
        logger.warn(`ledger ${kind} capture refused by the Mentu proxy: HTTP ${response.status}${hint}`, {
          endpoint,
          response: text.slice(0, 200),
        });
        return null;
      }
      const id = parseId(text);
      if (!id) logger.warn(`ledger ${kind} capture answered without an id`, { endpoint, response: text.slice(0, 200) });
      return id;
    } catch (error) {
      const err = error as Error;
      const reason = err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : err.message;
      logger.warn(`ledger ${kind} capture failed: ${reason}`, { endpoint });
      return null;
    }
  };

  return {
    enabled: true,
    captureTask: (task) => capture('task', taskCaptureBody(task, options.machineName)),
    captureEvidence: (task, outcome, taskRef) => capture('evidence', evidenceCaptureBody(task, outcome, taskRef)),
  };
}

function parseId(text: string): string | null {
  try {
    const parsed = JSON.parse(text) as { id?: unknown } | null;
    return parsed && typeof parsed.id === 'string' && parsed.id ? parsed.id : null;
  } catch {
    return null;
  }
}

/** The client for a config: enabled when mentu.proxy_url is set and the secret store holds mentu_proxy_token. */
export async function ledgerClientFromConfig(
  config: { mentu: { proxy_url: string | null } },
  secrets: SecretStore,
  deps: Omit<LedgerOptions, 'proxyUrl' | 'token'>,
): Promise<LedgerClient> {
  if (!config.mentu.proxy_url) return disabledClient;
  let token: string | null = null;
  try {
    token = await secrets.get('mentu_proxy_token');
  } catch (error) {
    (deps.logger ?? silentLogger).warn(`ledger captures disabled: cannot read the proxy token (${(error as Error).message})`);
  }
  if (!token) {
    (deps.logger ?? silentLogger).info('ledger captures disabled: mentu.proxy_url is set but no mentu_proxy_token is stored');
  }
  return createLedgerClient({ ...deps, proxyUrl: config.mentu.proxy_url, token });
}
