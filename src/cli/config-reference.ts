/** `rxflume config-reference`: prints the generated configuration reference (Markdown). */
import type { Command } from 'commander';
import { configReference } from '../config/reference.js';

export function registerConfigReference(program: Command): void {
  program
    .command('config-reference')
    .description('print the configuration reference (every option, its type, default and meaning) as Markdown')
    .action(() => {
      process.stdout.write(configReference());
    });
}
