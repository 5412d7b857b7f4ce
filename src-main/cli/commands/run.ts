import type { Command } from 'commander';

// Placeholder: implemented by the issue that owns this command family.
export function registerRun(_program: Command): void {}
