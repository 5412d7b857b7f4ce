import { existsSync, lstatSync, readFileSync, rmSync } from 'node:fs';
import { launchdPlan } from './launchd.js';
import type { ServicePlan, ServiceSpec } from './spec.js';
import { systemdPlan } from './systemd.js';
import { writeFileAtomicSync } from '../../core/fs/atomic-write.js';

export type ServicePlatform = ServicePlan['platform'];

export function isServicePlatform(value: string): value is ServicePlatform {
  return value === 'darwin' || value === 'linux';
}

export function servicePlan(platform: ServicePlatform, spec: ServiceSpec): ServicePlan {
  return platform === 'darwin' ? launchdPlan(spec) : systemdPlan(spec);
}

export interface ServiceChange {
  action: 'written' | 'unchanged' | 'removed' | 'absent' | 'would-write' | 'would-remove';
  file: string;
  /** What the user runs next (load after install, unload before/after uninstall). */
  commands: string[];
}

/** Write the service file (atomically). A dry run writes nothing. */
export function installService(plan: ServicePlan, dryRun: boolean): ServiceChange {
  if (dryRun) return { action: 'would-write', file: plan.file, commands: plan.loadCommands };
  if (existsSync(plan.file) && readFileSync(plan.file, 'utf8') === plan.content) {
    return { action: 'unchanged', file: plan.file, commands: plan.loadCommands };
  }
  writeFileAtomicSync(plan.file, plan.content, { mode: 0o644, parentMode: 0o755 });
  return { action: 'written', file: plan.file, commands: plan.loadCommands };
}

/** Remove the service file. The unload commands are printed for the user (a loaded job keeps running until then). */
export function uninstallService(plan: ServicePlan, dryRun: boolean): ServiceChange {
  if (!existsSync(plan.file)) return { action: 'absent', file: plan.file, commands: [] };
  if (dryRun) return { action: 'would-remove', file: plan.file, commands: plan.unloadCommands };
  rmSync(plan.file);
  for (const link of plan.enableLinks) if (lstatSync(link, { throwIfNoEntry: false })) rmSync(link);
  return { action: 'removed', file: plan.file, commands: plan.unloadCommands };
}
