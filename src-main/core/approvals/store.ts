import { readFile, rename } from 'node:fs/promises';
import type { RunSummary } from '../contract/run-summary.js';
import { silentLogger, type Logger } from '../logger.js';
import { jsonText, writeFileAtomic } from '../fs/atomic-write.js';

/**
 * The durable side of the approval gate: one JSON file under MENTU_HOME (paths.approvals,
 * beacon-approvals.json, owner-only) keyed by command id. Each record keeps the deadline fixed when the
 * command entered awaiting_approval, so a restarted Beacon resumes waiting with the original 24 h window,
 * plus what it needs to finish the command without the process that ran it.
 */

export interface ApprovalRecord {
  commandId: string;
  /** The source that owns the command; a Beacon started with another source leaves the record alone. */
  source: 'local' | 'supabase';
  workspaceId: string | null;
  /** ISO times: when the command entered awaiting_approval, and when the wait ends. */
  enteredAt: string;
  deadlineAt: string;
  /** Where the agent ran (the worktree when one was used): on_approve runs there too. */
  workingDirectory: string;
  onApprove: string | null;
  /** MENTU_* variables the agent had besides the common ones (the worktree's). No secrets. */
  extraEnv: Record<string, string>;
  /** The agent's run, so a rejection or a timeout still reports what the agent did. Bounded. */
  run: {
    startedAt: string | null;
    exitCode: number | null;
    summary: RunSummary | null;
    stdoutTail: string;
    stdoutTruncated: boolean;
    stderr: string;
    stderrTruncated: boolean;
  };
}

interface ApprovalFile {
  version: 1;
  approvals: Record<string, ApprovalRecord>;
}

/** The output kept in a record; the whole tail is already in the command's log and result. */
export const RECORD_OUTPUT_LIMIT = 64 * 1024;

export class ApprovalStore {
  /** Serialises read-modify-write cycles inside this process (one executor per machine holds the lock). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly logger: Logger = silentLogger,
  ) {}

  list(): Promise<ApprovalRecord[]> {
    return this.serial(async () => Object.values((await this.read()).approvals));
  }

  get(commandId: string): Promise<ApprovalRecord | null> {
    return this.serial(async () => (await this.read()).approvals[commandId] ?? null);
  }

  put(record: ApprovalRecord): Promise<void> {
    return this.serial(async () => {
      const file = await this.read();
      file.approvals[record.commandId] = boundRecord(record);
      await this.write(file);
    });
  }

  remove(commandId: string): Promise<void> {
    return this.serial(async () => {
      const file = await this.read();
      if (!(commandId in file.approvals)) return;
      delete file.approvals[commandId];
      await this.write(file);
    });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<ApprovalFile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, approvals: {} };
      throw new Error(`Cannot read ${this.path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      const parsed = JSON.parse(text) as Partial<ApprovalFile>;
      if (parsed && typeof parsed.approvals === 'object' && parsed.approvals !== null) {
        return { version: 1, approvals: parsed.approvals };
      }
    } catch {
      // fall through: unreadable
    }
    // Keep the damaged file for a person to inspect rather than failing every start.
    const aside = `${this.path}.damaged-${Date.now()}`;
    await rename(this.path, aside).catch(() => undefined);
    this.logger.error(`${this.path} was not valid; moved to ${aside}. Commands it listed stay awaiting approval.`);
    return { version: 1, approvals: {} };
  }

  private async write(file: ApprovalFile): Promise<void> {
    await writeFileAtomic(this.path, jsonText(file), { mode: 0o600, parentMode: 0o700 });
  }
}

function boundRecord(record: ApprovalRecord): ApprovalRecord {
  const { stdoutTail, stderr } = record.run;
  return {
    ...record,
    run: {
      ...record.run,
      stdoutTail: stdoutTail.length > RECORD_OUTPUT_LIMIT ? stdoutTail.slice(-RECORD_OUTPUT_LIMIT) : stdoutTail,
      stdoutTruncated: record.run.stdoutTruncated || stdoutTail.length > RECORD_OUTPUT_LIMIT,
      stderr: stderr.length > RECORD_OUTPUT_LIMIT ? stderr.slice(-RECORD_OUTPUT_LIMIT) : stderr,
      stderrTruncated: record.run.stderrTruncated || stderr.length > RECORD_OUTPUT_LIMIT,
    },
  };
}
