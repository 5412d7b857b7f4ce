import type { Command } from 'commander';
import { loadConfig } from '../../core/config/load.js';
import { mentuPaths } from '../../core/paths.js';
import { applyBridgeImport, planBridgeImport } from '../../core/bridge-import.js';
import { createHeadlessSecretStore } from '../../core/secrets.js';
import { CliError } from '../errors.js';

/**
 * `beacon init`: write beacon.yaml with its documented defaults (and this machine's id).
 * `beacon init --from-bridge [--dry-run]`: import an existing Bridge setup (bridge.yaml + credentials).
 */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create beacon.yaml, or import an existing Bridge setup with --from-bridge')
    .option('--from-bridge', 'import ~/.mentu/bridge.yaml and ~/.mentu/credentials (keys go to the secret store)')
    .option('--dry-run', 'with --from-bridge: show what would be written, write nothing')
    .action(async (options: { fromBridge?: boolean; dryRun?: boolean }) => {
      const env = process.env;
      const paths = mentuPaths(env);
      const out = (line: string) => process.stdout.write(line + '\n');
      if (!options.fromBridge) {
        if (options.dryRun) throw new CliError('--dry-run only applies to --from-bridge.', 2);
        const loaded = await loadConfig(paths, env);
        out(loaded.created ? `Wrote ${loaded.path}` : `${loaded.path} already exists; left unchanged.`);
        out(`Machine id: ${loaded.machineId}`);
        return;
      }

      let plan;
      try {
        plan = planBridgeImport(paths, env);
      } catch (error) {
        throw new CliError((error as Error).message, 1);
      }
      out(`${options.dryRun ? 'Dry run: nothing is written.\n' : ''}Importing ${paths.bridgeConfig} into ${plan.configPath}`);
      out(`  ${plan.configExists ? 'merge into the existing file (comments kept)' : 'create the file with its documented defaults'}`);
      out(`  machine.id: ${plan.machineId}`);
      for (const change of plan.changes) out(`  ${change.path.join('.')}: ${JSON.stringify(change.value)}`);
      const store = createHeadlessSecretStore(paths, env);
      for (const secret of plan.secrets) out(`  secret ${secret.name} (from bridge.yaml ${secret.from}) → the secret store`);
      for (const note of plan.notes) out(`Note: ${note}`);
      for (const warning of plan.warnings) out(`Warning: ${warning}`);
      if (options.dryRun) return;

      const result = await applyBridgeImport(plan, paths, store, env);
      out(`${result.created ? 'Wrote' : 'Updated'} ${plan.configPath} (machine id ${result.machineId}).`);
      if (result.secretsStored.length > 0) out(`Stored ${result.secretsStored.join(', ')} in ${store.describe()}.`);
    });
}
