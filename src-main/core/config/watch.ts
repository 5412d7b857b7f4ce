import { readFile } from 'node:fs/promises';
import { watchFileChanges, type WatchFileOptions } from '../fs/watch-file.js';
import { ConfigError } from './errors.js';
import type { BeaconConfig } from './schema.js';
import { parseConfigText } from './validate.js';

/**
 * beacon.yaml as the running executor sees it: every saved edit is read and validated; a valid one is
 * handed on (the executor decides what applies now, config/live-settings.ts), an invalid one is reported
 * with its line and column and nothing changes. Edits that leave the text as it was are ignored.
 */
export interface ConfigWatchOptions extends WatchFileOptions {
  file: string;
  /** The text the running config was read from (an identical file is no change). */
  initialText?: string | null;
  onValid(config: BeaconConfig, text: string): void;
  onInvalid(error: ConfigError): void;
}

export function watchConfigFile(options: ConfigWatchOptions): { stop(): void; checkNow(): Promise<void> } {
  let lastText = options.initialText ?? null;
  let reading: Promise<void> | null = null;
  let again = false;

  const check = async (): Promise<void> => {
    let text: string;
    try {
      text = await readFile(options.file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Removed (or mid-replace): keep running as configured; a new file is read when it appears.
      if (code === 'ENOENT') return;
      options.onInvalid(new ConfigError(`Cannot read ${options.file}: ${(error as Error).message}. The running configuration stays.`, options.file));
      return;
    }
    if (text === lastText) return;
    lastText = text;
    if (!text.trim()) {
      options.onInvalid(new ConfigError(`${options.file} is empty; the running configuration stays (write the settings back, or delete the file and restart for the defaults).`, options.file));
      return;
    }
    try {
      options.onValid(parseConfigText(options.file, text).config, text);
    } catch (error) {
      if (error instanceof ConfigError) options.onInvalid(error);
      else options.onInvalid(new ConfigError(`${options.file} could not be read: ${(error as Error).message}`, options.file));
    }
  };

  /** One read at a time; a change during a read is read again after it. */
  const checkNow = (): Promise<void> => {
    if (reading) {
      again = true;
      return reading;
    }
    reading = check().finally(() => {
      reading = null;
      if (again) {
        again = false;
        void checkNow();
      }
    });
    return reading;
  };

  const watch = watchFileChanges(options.file, () => void checkNow(), options);
  return { stop: () => watch.stop(), checkNow };
}
