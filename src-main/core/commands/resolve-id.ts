import type { Command } from '../contract/command.js';
import type { CommandSource } from './source.js';

/**
 * What a person types for a command: its full id, or (6 characters or more) the start of it, as the list
 * and the dashboard show it (`#44a8bdc3`). A prefix that fits several commands is refused, never guessed.
 */
export const MIN_ID_PREFIX = 6;

/** The command itself comes with its id: every caller goes on to use it, and it was read to find it. */
export type IdResolution = { ok: true; id: string; command: Command } | { ok: false; reason: string };

const ID_SHAPE = /^[A-Za-z0-9_-]{1,128}$/;
/** How many candidates an ambiguous prefix names. */
const SHOWN = 5;

export async function resolveCommandId(source: Pick<CommandSource, 'get' | 'findIdsByPrefix'>, typed: string): Promise<IdResolution> {
  const text = typed.trim();
  if (!ID_SHAPE.test(text)) {
    return { ok: false, reason: `${JSON.stringify(typed)} is not a command id (ids are letters, digits, - and _)` };
  }
  const exact = await source.get(text);
  if (exact) return { ok: true, id: text, command: exact };
  if (text.length < MIN_ID_PREFIX) {
    return { ok: false, reason: `No command ${text}: give the full id or its first ${MIN_ID_PREFIX} characters or more (beacon list shows the recent ones)` };
  }
  const matches = await source.findIdsByPrefix(text, SHOWN + 1);
  const only = matches.length === 1 ? await source.get(matches[0]!) : null;
  if (only) return { ok: true, id: only.id, command: only };
  if (matches.length === 0) return { ok: false, reason: `No command ${text}: no command id starts with it (beacon list shows the recent ones)` };
  const shown = matches.slice(0, SHOWN).join(', ');
  const more = matches.length > SHOWN ? ' and more' : '';
  return { ok: false, reason: `The id prefix ${text} is ambiguous: it fits ${shown}${more}; type more of the id` };
}
