import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest modification time of the files and folders named (folders are walked). */
export function newestMtime(paths: string[]): number {
  let newest = 0;
  for (const path of paths) {
    const stat = statSync(path);
    if (!stat.isDirectory()) newest = Math.max(newest, stat.mtimeMs);
    else for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime([join(path, entry)]));
  }
  return newest;
}

/** True when `output` exists and is at least as new as every source it is built from. */
export function isFresh(output: string, sources: string[]): boolean {
  return existsSync(output) && statSync(output).mtimeMs >= newestMtime(sources);
}
