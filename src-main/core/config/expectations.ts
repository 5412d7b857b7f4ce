import type { z } from 'zod';

/**
 * Plain-words descriptions of what a key of beacon.yaml accepts, read from the zod schema itself so the
 * error messages never drift from the rules ("a whole number from 1 to 64", "one of "auto", "local"").
 */

type Schema = z.core.$ZodType;

interface Def {
  type: string;
  innerType?: Schema;
  shape?: Record<string, Schema>;
  valueType?: Schema;
  element?: Schema;
  entries?: Record<string, string | number>;
  format?: string;
  checks?: { _zod: { def: CheckDef } }[];
}

interface CheckDef {
  check: string;
  value?: number;
  inclusive?: boolean;
  format?: string;
  minimum?: number;
}

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nonoptional', 'catch', 'readonly']);

function defOf(schema: Schema): Def {
  return schema._zod.def as unknown as Def;
}

function unwrap(schema: Schema): Schema {
  let current = schema;
  for (let def = defOf(current); WRAPPERS.has(def.type) && def.innerType; def = defOf(current)) current = def.innerType;
  return current;
}

/** The schema node for a key path, or null when the path leaves the schema. */
export function schemaAt(root: Schema, path: readonly PropertyKey[]): Schema | null {
  let current: Schema = root;
  for (const key of path) {
    let node = unwrap(current);
    if (defOf(node).type === 'nullable') node = unwrap(defOf(node).innerType as Schema);
    const def = defOf(node);
    if (def.type === 'object' && def.shape) {
      const next = def.shape[String(key)];
      if (!next) return null;
      current = next;
    } else if (def.type === 'record' && def.valueType) current = def.valueType;
    else if (def.type === 'array' && def.element) current = def.element;
    else return null;
  }
  return current;
}

function numberBounds(def: Def): { whole: boolean; min: number | null; max: number | null } {
  const checks = (def.checks ?? []).map((check) => check._zod.def);
  const whole = checks.some((c) => c.check === 'number_format' && (c.format === 'safeint' || c.format === 'int32'));
  // An exclusive bound on a whole number is the next whole number inside it (positive() means ≥ 1).
  const step = whole ? 1 : 0;
  let min: number | null = null;
  let max: number | null = null;
  for (const c of checks) {
    if (typeof c.value !== 'number') continue;
    if (c.check === 'greater_than') min = c.inclusive ? c.value : c.value + step;
    if (c.check === 'less_than') max = c.inclusive ? c.value : c.value - step;
  }
  const safe = Number.MAX_SAFE_INTEGER;
  return {
    whole,
    min: min !== null && Math.abs(min) < safe ? min : null,
    max: max !== null && Math.abs(max) < safe ? max : null,
  };
}

function describeNumber(def: Def): string {
  const { whole, min, max } = numberBounds(def);
  const noun = whole ? 'a whole number' : 'a number';
  if (min !== null && max !== null) return `${noun} from ${min} to ${max}`;
  if (min !== null) return `${noun} ≥ ${min}`;
  if (max !== null) return `${noun} ≤ ${max}`;
  return noun;
}

function describeString(def: Def): string {
  if (def.format === 'url') return 'a URL such as "https://xyz.supabase.co"';
  if (def.format === 'uuid') return 'a UUID such as "123e4567-e89b-12d3-a456-426614174000"';
  const minLength = (def.checks ?? []).find((c) => c._zod.def.check === 'min_length')?._zod.def.minimum ?? 0;
  return minLength > 0 ? 'a non-empty text' : 'a text';
}

/** What a schema node accepts, as a phrase that completes "expected …". */
export function describeSchema(schema: Schema): string {
  const def = defOf(schema);
  if (WRAPPERS.has(def.type) && def.innerType) return describeSchema(def.innerType);
  switch (def.type) {
    case 'nullable':
      return `${describeSchema(def.innerType as Schema)}, or null`;
    case 'number':
      return describeNumber(def);
    case 'string':
      return describeString(def);
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${Object.values(def.entries ?? {})
        .map((value) => JSON.stringify(value))
        .join(', ')}`;
    case 'array':
      return `a list (each item ${describeSchema(def.element as Schema)})`;
    case 'object':
      return `a mapping with the keys ${Object.keys(def.shape ?? {}).join(', ')}`;
    case 'record':
      return `a mapping of names to ${describeSchema(def.valueType as Schema)}`;
    default:
      return `a value of type ${def.type}`;
  }
}

/** The keys a mapping accepts, for "unknown key" messages. */
export function allowedKeys(schema: Schema | null): string[] {
  if (!schema) return [];
  let node = unwrap(schema);
  if (defOf(node).type === 'nullable') node = unwrap(defOf(node).innerType as Schema);
  const def = defOf(node);
  return def.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}
