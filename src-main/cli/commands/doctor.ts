import type { Command } from 'commander';

// Placeholder: implemented by the issue that owns this command family.
export function registerDoctor(_program: Command): void {}
