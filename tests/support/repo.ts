import { resolve } from 'node:path';

/** The repository's root folder (tests resolve built files and fixtures from it, whatever the cwd). */
export const REPO_ROOT = resolve(import.meta.dirname, '../..');
