import type { Runner } from './runner.js';

// SIGNATURES ONLY (owned by the command-engine run pipeline): bodies to be implemented; keep the names.

export interface PtyRunnerOptions {
  /** SIGINT → wait → SIGTERM → wait → SIGKILL steps (default 2000 ms each). */
  killStepMs?: number;
  /** Linger allowed after the stream-json result line before the process is killed (default 3000 ms). */
  resultGraceMs?: number;
}

export function createPtyRunner(_options: PtyRunnerOptions = {}): Runner {
  throw new Error('createPtyRunner: not implemented yet');
}
