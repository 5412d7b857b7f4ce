import type { Command } from 'commander';

// Placeholder: implemented by the issue that owns this command family.
export function registerControlCommands(_program: Command): void {}
