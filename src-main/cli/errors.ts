/** A failure the user can act on: printed as one clear line (no stack), with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Print an error for a person and return the process exit code. Unexpected errors keep their stack. */
export function reportCliError(error: unknown): number {
  if (error instanceof CliError) {
    process.stderr.write(`beacon: ${error.message}\n`);
    return error.exitCode;
  }
  const named = error as { name?: string; message?: string; stack?: string };
  // A file Beacon refuses (readable by others, malformed) names the file and the fix: no stack.
  if (named && (named.name === 'ConfigError' || named.name === 'LockHeldError' || named.name === 'OwnerOnlyFileError')) {
    process.stderr.write(`beacon: ${named.message}\n`);
    return 2;
  }
  if (named?.name === 'UnreadableRowError') {
    process.stderr.write(`beacon: ${named.message}\n`);
    return 1;
  }
  process.stderr.write(`beacon: unexpected error: ${named?.stack ?? String(error)}\n`);
  return 1;
}
