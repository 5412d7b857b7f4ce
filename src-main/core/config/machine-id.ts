import { readFile } from 'node:fs/promises';
import { isMap, isScalar, type Document } from 'yaml';
import { currentHostname, machineIdForHostname } from '../identity.js';
import { withFileMutex } from '../lock/file-mutex.js';
import type { MentuPaths } from '../paths.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { renderDefaultConfig } from './default-file.js';
import { parseConfigText, validateDocument } from './validate.js';

/**
 * The persistent machine id: derived from the hostname on first start, written into beacon.yaml once and
 * never changed afterwards. Several processes starting at once must agree, so the create-or-add step runs
 * inside a cross-process mutex and re-reads the file there: the first writer wins, the others adopt its id.
 */

const MAX_ID_LENGTH = 128; // the schema's limit

export function initialIdentity(env: NodeJS.ProcessEnv): { machineId: string; machineName: string } {
  const hostname = currentHostname(env);
  const machineId = machineIdForHostname(hostname).slice(0, MAX_ID_LENGTH);
  return { machineId, machineName: hostname };
}

export function configMutexPath(paths: MentuPaths): string {
  return `${paths.config}.mutex`;
}

export async function readTextIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Make sure beacon.yaml exists and names a machine id: write the commented default file when it is missing,
 * or add machine.id (keeping comments) when the file lacks it. An invalid file throws and is left untouched.
 * Returns whether the file was created here.
 */
export async function ensureMachineIdentity(paths: MentuPaths, env: NodeJS.ProcessEnv): Promise<boolean> {
  return withFileMutex(configMutexPath(paths), async () => {
    const text = await readTextIfExists(paths.config);
    const identity = initialIdentity(env);
    if (text === null) {
      await writeFileAtomic(paths.config, renderDefaultConfig(identity), { durable: true, throughSymlink: true });
      return true;
    }
    const { doc, config } = parseConfigText(paths.config, text);
    if (config.machine.id) return false; // another process added it meanwhile
    addMachineId(doc, identity.machineId);
    validateDocument(paths.config, doc);
    await writeFileAtomic(paths.config, doc.toString({ lineWidth: 0 }), { durable: true, throughSymlink: true });
    return false;
  });
}

/** Add machine.id at the end of the machine mapping (before-comments of existing keys stay with them), with a comment saying it is written once. */
function addMachineId(doc: Document, machineId: string): void {
  if (!isMap(doc.getIn(['machine'], true))) doc.setIn(['machine'], doc.createNode({}));
  const machine = doc.getIn(['machine'], true);
  if (!isMap(machine)) throw new Error('internal: machine is not a mapping after it was created');
  const pair = doc.createPair('id', machineId);
  if (!machine.flow && isScalar(pair.key)) {
    pair.key.commentBefore = ' Written once by Beacon on first start (beacon-{hostname}); never changed afterwards.';
  }
  machine.items.push(pair);
}
