import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { configSchema, type BeaconConfig } from './schema.js';
import { ConfigError, describeFound, formatKeyPath } from './errors.js';
import { allowedKeys, describeSchema, schemaAt } from './expectations.js';
import { keyPathAtOffset, positionOf, type FilePosition } from './yaml-positions.js';

/**
 * beacon.yaml text → a YAML Document (kept for comment-preserving edits) and the validated config, or one
 * ConfigError that names the file, the position, the key path and what was expected.
 */

export interface ParsedConfig {
  doc: Document;
  config: BeaconConfig;
}

interface Problem {
  path: PropertyKey[];
  /** Point at the key itself (unknown keys) rather than its value. */
  atKey: boolean;
  expected: string;
  /** The sentence after the key path. */
  detail: string;
}

export function parseConfigText(file: string, text: string): ParsedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const { line, col } = lines.linePos(syntaxError.pos[0]);
    const keyPath = keyPathAtOffset(doc, syntaxError.pos[0]);
    const where = keyPath.length ? ` (in ${formatKeyPath(keyPath)})` : '';
    throw new ConfigError(
      `Invalid configuration in ${file} at line ${line}, column ${col}${where}: the file is not valid YAML: ` +
        `${syntaxError.message}. Fix the file and try again; Beacon does not change it while it is invalid.`,
      file,
      keyPath.length ? formatKeyPath(keyPath) : null,
      'valid YAML',
    );
  }
  return { doc, config: validateDocument(file, doc, lines) };
}

/**
 * Validate a document read from the file, or edited by Beacon (`edit`: the message says nothing was saved).
 * Without `lines` the message carries no line number.
 */
export function validateDocument(
  file: string,
  doc: Document,
  lines?: LineCounter,
  origin: 'file' | 'edit' = 'file',
): BeaconConfig {
  if (doc.contents !== null && !isMap(doc.contents)) {
    const found = describeFound(doc.toJS());
    throw new ConfigError(
      `Invalid configuration in ${file}: expected a mapping of settings ("key: value" lines) at the top level, got ${found}.`,
      file,
      null,
      'a mapping of settings',
    );
  }
  let raw: unknown;
  try {
    raw = doc.contents === null ? {} : doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError(`Invalid configuration in ${file}: ${(error as Error).message}.`, file);
  }
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;

  const problems = result.error.issues.map(problemOf);
  const located = problems.map((problem) => ({
    problem,
    position: lines ? positionOf(doc, lines, problem.path, problem.atKey) : null,
  }));
  // Report the first problem in reading order: the one a person meets first in the file.
  located.sort((a, b) => (a.position?.offset ?? Infinity) - (b.position?.offset ?? Infinity));
  const first = located[0] as { problem: Problem; position: FilePosition | null };
  const keyPath = formatKeyPath(first.problem.path);
  const at = first.position ? ` at line ${first.position.line}, column ${first.position.col}` : '';
  const more = located.length > 1 ? ` (${located.length - 1} more problem${located.length > 2 ? 's' : ''} after this one)` : '';
  const message =
    origin === 'edit'
      ? `Not saved: ${keyPath}: ${first.problem.detail}${more}. ${file} was not changed.`
      : `Invalid configuration in ${file}${at}: ${keyPath}: ${first.problem.detail}${more}. ` +
        `Fix the file and try again; Beacon does not change it while it is invalid.`;
  throw new ConfigError(
    message,
    file,
    keyPath,
    first.problem.expected,
  );
}

function problemOf(issue: z.core.$ZodIssue): Problem {
  const path = [...issue.path];
  const got = describeFound((issue as { input?: unknown }).input);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(schemaAt(configSchema, path));
      const key = issue.keys[0] ?? '';
      const suggestion = closest(key, allowed);
      const hint = suggestion ? `did you mean "${suggestion}"? ` : '';
      return {
        path: [...path, key],
        atKey: true,
        expected: `one of the keys ${allowed.join(', ')}`,
        detail: `unknown key "${key}"; ${hint}the keys allowed here are ${allowed.join(', ')}`,
      };
    }
    case 'custom':
      return { path, atKey: false, expected: issue.message, detail: issue.message };
    case 'invalid_key': {
      const inner = issue.issues[0]?.message ?? 'a valid name';
      return { path, atKey: true, expected: inner, detail: `invalid name: expected ${inner}, got ${got}` };
    }
    case 'invalid_format':
      if (issue.format === 'regex') return { path, atKey: false, expected: issue.message, detail: `expected ${issue.message}, got ${got}` };
      break;
    default:
      break;
  }
  const schema = schemaAt(configSchema, path);
  const expected = schema ? describeSchema(schema) : issue.message;
  return { path, atKey: false, expected, detail: `expected ${expected}, got ${got}` };
}

/** The allowed key nearest to a typo (at most 2 edits), or null. */
function closest(typo: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(typo.toLowerCase(), candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
