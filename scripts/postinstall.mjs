// node-pty 1.1.0 ships darwin spawn-helper without its execute bit; macOS then fails with
// "posix_spawnp failed". Make every shipped spawn-helper executable (no-op where absent).
import { chmodSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const prebuilds = join('node_modules', 'node-pty', 'prebuilds');
if (existsSync(prebuilds)) {
  for (const platform of readdirSync(prebuilds)) {
    const helper = join(prebuilds, platform, 'spawn-helper');
    if (existsSync(helper)) chmodSync(helper, 0o755);
  }
}
