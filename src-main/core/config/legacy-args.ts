import { stat } from 'node:fs/promises';
import { isCollection, isScalar, type Document } from 'yaml';
import { withFileMutex } from '../lock/file-mutex.js';
import type { MentuPaths } from '../paths.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { configMutexPath, readTextIfExists } from './machine-id.js';
import { DEFAULT_CLAUDE_ARGS, LEGACY_CLAUDE_ARGS, type BeaconConfig } from './schema.js';
import { parseConfigText, validateDocument } from './validate.js';

/**
 * A beacon.yaml written by the earlier default put the prompt right after `-p`, where the CLI reads a prompt that
 * starts with "-" as its own option. Such profiles are rewritten in place (comments and layout kept) to the current
 * default; a profile the user changed otherwise is left alone and corrected at run time (run/agents.ts).
 */

export const UPGRADE_COMMENT = ' upgraded by Beacon: options first, then "--", then the prompt';

export interface ArgsUpgrade {
  /** Agents whose args were rewritten in beacon.yaml during this load. */
  upgraded: string[];
  /** Why the file could not be rewritten (the argv is then corrected at each run instead). */
  failed: string | null;
}

export function legacyArgsAgents(config: BeaconConfig): string[] {
  return Object.entries(config.agents)
    .filter(([, profile]) => sameList(profile.args, LEGACY_CLAUDE_ARGS))
    .map(([name]) => name);
}

/** Rewrites the legacy args under the config mutex; never throws (a read-only file is corrected at run time). */
export async function upgradeLegacyArgs(paths: MentuPaths): Promise<ArgsUpgrade> {
  try {
    return await withFileMutex(configMutexPath(paths), async () => {
      const text = (await readTextIfExists(paths.config)) ?? '';
      const { doc, config } = parseConfigText(paths.config, text);
      const names = legacyArgsAgents(config); // again, inside the mutex: another process may have done it
      if (!names.length) return { upgraded: [], failed: null };
      for (const name of names) replaceArgs(doc, name);
      validateDocument(paths.config, doc, undefined, 'edit');
      const mode = (await stat(paths.config)).mode & 0o777;
      // No padding inside [ ]: the way the default file writes its lists.
      await writeFileAtomic(paths.config, doc.toString({ lineWidth: 0, flowCollectionPadding: false }), { mode, durable: true });
      return { upgraded: names, failed: null };
    });
  } catch (error) {
    return { upgraded: [], failed: error instanceof Error ? error.message : String(error) };
  }
}

function replaceArgs(doc: Document, agent: string): void {
  const path = ['agents', agent, 'args'];
  const previous = doc.getIn(path, true);
  const node = doc.createNode([...DEFAULT_CLAUDE_ARGS]);
  if (isCollection(previous)) {
    // Written as the user's list was: flow or block, quoted or plain.
    node.flow = previous.flow;
    node.commentBefore = previous.commentBefore;
    const first = previous.items.find((item) => isScalar(item));
    const quoting = isScalar(first) ? first.type : undefined;
    if (quoting) for (const item of node.items) if (isScalar(item)) item.type = quoting;
  }
  node.comment = UPGRADE_COMMENT;
  doc.setIn(path, node);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
