/**
 * The `rxflume` command line. One file per subcommand; this file only wires them.
 * Exit codes: 0 success, 1 runtime failure, 2 bad usage or invalid config.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { LOG_LEVELS } from '../core/logger.js';
import { registerCat } from './cat.js';
import { registerConfigReference } from './config-reference.js';
import { registerConsume } from './consume.js';
import { registerDemo } from './demo.js';
import { registerImportFlume } from './import-flume.js';
import { registerRun } from './run.js';
import { registerSchemas } from './schemas.js';
import { registerSimulate } from './simulate.js';
import { registerTop } from './top.js';
import { registerValidate } from './validate.js';

function packageVersion(): string {
  // dist/cli/main.js and src/cli/main.ts both sit two folders below package.json.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('rxflume')
    .description('Collect logs into HDFS layouts (and Kafka) with acknowledgements, backpressure and checkpoints.')
    .version(packageVersion())
    .addOption(new Option('--log-level <level>', 'log level for the JSON logs on stderr').choices(LOG_LEVELS).default('info'))
    .showHelpAfterError()
    .exitOverride();
  registerRun(program);
  registerValidate(program);
  registerConfigReference(program);
  registerSimulate(program);
  registerDemo(program);
  registerTop(program);
  registerConsume(program);
  registerImportFlume(program);
  registerSchemas(program);
  registerCat(program);
  return program;
}

export async function runCli(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
  } catch (err) {
    const code = (err as { code?: string; exitCode?: number }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') process.exit(0);
    if (typeof code === 'string' && code.startsWith('commander.')) process.exit((err as { exitCode?: number }).exitCode ?? 2);
    process.stderr.write(`rxflume: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
