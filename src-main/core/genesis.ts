import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

export type GenesisDecision = { allowed: true; note: string | null } | { allowed: false; reason: string };

/**
 * The `execute` check of `<cwd>/.mentu/genesis.key` (docs/mentu-schema.md#genesis; policy in docs/genesis.md).
 * Two formats exist:
 *  - the enforcer format (Bridge and mentu-cli): `permissions.actors` (exact match, else the longest
 *    `*` pattern), `permissions.defaults.authenticated`, optional `trust_gradient`. Checked exactly as
 *    the Bridge does, so both executors reach the same verdict on the same file.
 *  - the docs-site format: top-level `workspace`/`tiers`, `permissions.<op>.allow|deny`. The Bridge
 *    would deny everyone (no `permissions.actors`). Beacon applies `permissions.execute` when present
 *    (deny list first, then allow list, else deny) and allows when the file says nothing about execute.
 * No file: allowed. A file that cannot be read or parsed: denied (fail closed; the user can fix it).
 * The file is read on every check (one read per command), so an edit applies to the next command.
 */
export function checkGenesisExecute(cwd: string, actor: string): GenesisDecision {
  const file = join(cwd, '.mentu', 'genesis.key');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { allowed: true, note: null };
    return { allowed: false, reason: `Genesis enforcement denied: ${file} cannot be read (${code ?? String(error)}); fix its permissions or remove it` };
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    return { allowed: false, reason: `Genesis enforcement denied: ${file} is not valid YAML (${firstLine((error as Error).message)}); fix or remove it` };
  }
  if (doc === null || doc === undefined) return { allowed: true, note: `${file} is empty` };
  if (!isObject(doc)) return { allowed: false, reason: `Genesis enforcement denied: ${file} is not a YAML mapping; fix or remove it` };

  const denied: GenesisDecision = {
    allowed: false,
    reason: `Genesis enforcement denied: Actor '${actor}' does not have permission to perform 'execute' (${file})`,
  };
  const permissions = doc.permissions;
  if (permissions === undefined || permissions === null) return { allowed: true, note: null };
  if (!isObject(permissions)) return { allowed: false, reason: `Genesis enforcement denied: 'permissions' in ${file} is not a mapping; fix or remove it` };

  if (isEnforcerFormat(permissions)) return enforcerCheck(doc, permissions, actor, 'execute') ? { allowed: true, note: null } : denied;

  const execute = permissions.execute;
  if (execute === undefined) return { allowed: true, note: `docs-site genesis format does not govern execute (${file})` };
  if (!isObject(execute)) return { allowed: false, reason: `Genesis enforcement denied: 'permissions.execute' in ${file} is not a mapping of allow/deny lists; fix it` };
  if (stringList(execute.deny).some((pattern) => actorMatches(pattern, actor))) return denied;
  if (stringList(execute.allow).some((pattern) => actorMatches(pattern, actor))) return { allowed: true, note: null };
  return denied;
}

/**
 * The enforcer format is recognised by what the enforcer reads: `permissions.actors` or
 * `permissions.defaults`. Any other `permissions` section (docs-site `<op>: {allow, deny}` entries, or
 * an empty one) is read the docs-site way, where an operation nobody mentions is not denied.
 */
function isEnforcerFormat(permissions: Record<string, unknown>): boolean {
  return 'actors' in permissions || 'defaults' in permissions;
}

/** mentu-bridge genesis-enforcer semantics. */
function enforcerCheck(doc: Record<string, unknown>, permissions: Record<string, unknown>, actor: string, operation: string): boolean {
  const actors = isObject(permissions.actors) ? permissions.actors : {};
  const key = bestActorPattern(Object.keys(actors), actor);
  const entry = key !== null && isObject(actors[key]) ? (actors[key] as Record<string, unknown>) : null;
  if (key !== null) {
    if (!stringList(entry?.operations).includes(operation)) return false;
  } else {
    const defaults = isObject(permissions.defaults) ? permissions.defaults : {};
    const authenticated = isObject(defaults.authenticated) ? defaults.authenticated : {};
    if (!stringList(authenticated.operations).includes(operation)) return false;
  }
  const gradient = isObject(doc.trust_gradient) ? doc.trust_gradient : null;
  if (!gradient || gradient.enabled !== true) return true;
  const authorType = typeof entry?.author_type === 'string' ? entry.author_type : (stringList(entry?.author_types)[0] ?? null);
  if (authorType === null) return true; // the gradient constrains author types; this actor declares none
  const types = isObject(gradient.author_types) ? gradient.author_types : {};
  const typeEntry = isObject(types[authorType]) ? (types[authorType] as Record<string, unknown>) : {};
  if (!stringList(typeEntry.allowed_operations).includes(operation)) return false;
  const constraints = Array.isArray(gradient.constraints) ? gradient.constraints : [];
  for (const constraint of constraints) {
    if (!isObject(constraint) || !isObject(constraint.match)) continue;
    if (constraint.match.author_type === authorType && stringList(constraint.deny).includes(operation)) return false;
  }
  return true;
}

/** Exact match first, else the longest matching pattern with `*` wildcards. */
export function bestActorPattern(patterns: string[], actor: string): string | null {
  if (patterns.includes(actor)) return actor;
  let best: string | null = null;
  for (const pattern of patterns) {
    if (pattern.includes('*') && actorMatches(pattern, actor) && (best === null || pattern.length > best.length)) best = pattern;
  }
  return best;
}

function actorMatches(pattern: string, actor: string): boolean {
  if (pattern === actor) return true;
  if (!pattern.includes('*')) return false;
  const regex = new RegExp('^' + pattern.split('*').map(escapeRegex).join('.*') + '$');
  return regex.test(actor);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
