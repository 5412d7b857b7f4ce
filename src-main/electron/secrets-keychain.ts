import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_NAMES, type SecretName, type SecretStore } from '../core/secrets.js';
import { writeFileAtomicSync } from '../core/fs/atomic-write.js';

/**
 * The app's SecretStore: values encrypted with Electron's safeStorage (a Keychain-held key on macOS),
 * one owner-only file per secret under userData. Lives in main only: nothing here is reachable from a
 * renderer, and the executor never puts these values into an agent's environment.
 */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/**
 * `fallback` (the headless store: env variables, the owner-only file) is read when the Keychain has no
 * value, so a key written by `beacon init --from-bridge` or the CLI still works in the app; writes go to
 * the Keychain only, and a delete removes both so a removed key cannot come back.
 */
export function createKeychainSecretStore(safeStorage: SafeStorageLike, dir: string, fallback?: SecretStore): SecretStore {
  const fileOf = (name: SecretName): string => {
    if (!SECRET_NAMES.includes(name)) throw new Error(`Unknown secret ${String(name)}`);
    return join(dir, `${name}.bin`);
  };
  const requireEncryption = (): void => {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new Error('The macOS Keychain is not available to Beacon, so secrets cannot be stored safely; unlock your login keychain and try again');
    }
  };
  return {
    async get(name) {
      let blob: Buffer;
      try {
        blob = readFileSync(fileOf(name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback ? fallback.get(name) : null;
        throw error;
      }
      requireEncryption();
      return safeStorage.decryptString(blob);
    },
    async set(name, value) {
      requireEncryption();
      writeFileAtomicSync(fileOf(name), safeStorage.encryptString(value), { mode: 0o600, parentMode: 0o700 });
    },
    async delete(name) {
      rmSync(fileOf(name), { force: true });
      await fallback?.delete(name);
    },
    describe: () => `the macOS Keychain (encrypted files in ${dir})${fallback ? `, then ${fallback.describe()}` : ''}`,
  };
}
