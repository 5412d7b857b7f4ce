import { isCommandStatus } from './command.js';
import type { Command, CommandStatus } from '../contract/command.js';
import type { CommandList, SkippedRow } from './source.js';

/**
 * Reading one command row whatever another program wrote into it (docs/reliability.md, "any value of any
 * type"). SQLite keeps a BLOB in a TEXT column and text in a numeric one; a JSON row can hold any type.
 * A column of the wrong type is never passed on (a Buffer handed to node-pty as an argument crashed the
 * whole executor): it becomes a safe placeholder and a `defect` naming the column, and the command is
 * refused with that reason. A row without a readable id or with a status Beacon does not know cannot be a
 * command at all: UnreadableRowError, which listings skip and report.
 */
export class UnreadableRowError extends Error {
  constructor(
    readonly rowId: string | null,
    reason: string,
  ) {
    super(reason);
    this.name = 'UnreadableRowError';
  }
}

/** What a value is, in words for an error message (never the whole value). */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (value instanceof Uint8Array) return `a BLOB (${value.byteLength} bytes)`;
  if (typeof value === 'string') return `text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'bigint') return `the number ${String(value)}`;
  if (typeof value === 'boolean') return `the boolean ${String(value)}`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return `a ${typeof value === 'object' ? 'JSON object' : typeof value}`;
}

export class RowFields {
  private readonly problems: string[] = [];

  constructor(private readonly row: Record<string, unknown>) {}

  /** Every column of the wrong type, in one sentence (null: every column had its type). */
  get defect(): string | null {
    return this.problems.length ? `column ${this.problems.join('; column ')}` : null;
  }

  private wrong(column: string, expected: string): void {
    this.problems.push(`${column} holds ${describeValue(this.row[column])}, not ${expected}`);
  }

  /** The row's id, which names it in every write: text or nothing. */
  id(): string {
    const value = this.row.id;
    if (typeof value === 'string' && value !== '') return value;
    throw new UnreadableRowError(null, `a command row's id is ${describeValue(value)}, not text`);
  }

  status(id: string): CommandStatus {
    const value = this.row.status;
    if (isCommandStatus(value)) return value;
    throw new UnreadableRowError(id, `command ${id} has a status Beacon does not know: ${describeValue(value)}`);
  }

  /** Text or null. */
  text(column: string): string | null {
    const value = this.row[column];
    if (value === null || value === undefined || typeof value === 'string') return (value as string | null | undefined) ?? null;
    this.wrong(column, 'text');
    return null;
  }

  /** Text; null is a defect too, and `placeholder` stands in. */
  requiredText(column: string, placeholder = ''): string {
    const value = this.row[column];
    if (typeof value === 'string') return value;
    this.wrong(column, 'text');
    return placeholder;
  }

  /** A finite number or null; `numericText` also reads "42" (PostgREST sends numeric columns as strings). */
  number(column: string, numericText = false): number | null {
    const value = this.row[column];
    if (value === null || value === undefined) return null;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (numericText && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
    this.wrong(column, 'a number');
    return null;
  }

  /** A yes/no column: the given spellings of yes and no, null/undefined as no. */
  flag(column: string, yes: unknown, no: unknown): boolean {
    const value = this.row[column];
    if (value === yes) return true;
    if (value === no || value === null || value === undefined) return false;
    this.wrong(column, `${JSON.stringify(yes)} or ${JSON.stringify(no)}`);
    return false;
  }

  /** Flags: a list whose strings are kept (null entries dropped); anything else that is not a list is a defect. */
  stringList(column: string, value: unknown): string[] {
    if (value === null || value === undefined) return [];
    if (!Array.isArray(value)) {
      this.problems.push(`${column} holds ${describeValue(value)}, not a list of text`);
      return [];
    }
    const strings = value.filter((entry): entry is string => typeof entry === 'string');
    if (value.some((entry) => entry !== null && typeof entry !== 'string')) {
      this.problems.push(`${column} holds a list with entries that are not text`);
    }
    return strings;
  }
}

/** Rows → commands for a listing: an unreadable row is skipped and reported, the rest are listed. */
export function readableCommands<R>(rows: R[], toCommand: (row: R) => Command, rowId: (row: R) => unknown): CommandList {
  const commands: Command[] = [];
  const skipped: SkippedRow[] = [];
  for (const row of rows) {
    try {
      commands.push(toCommand(row));
    } catch (error) {
      const id = rowId(row);
      skipped.push({ id: typeof id === 'string' ? id : null, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return Object.assign(commands, { skipped });
}
