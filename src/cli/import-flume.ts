/**
 * `rxflume import-flume FILE [--agent NAME] [--hdfs-url URL] [--kafka-brokers LIST]`: prints the
 * rxflume YAML of a Flume agent properties file on stdout (a comment header lists the warnings),
 * and the warnings on stderr too. Exit 0 with the YAML; exit 2 (nothing on stdout) when the
 * import has errors or the result does not validate, every problem listed on stderr with the
 * Flume key and line it concerns.
 *
 * --hdfs-url (default $RXFLUME_HDFS_URL) is the filesystem of bare hdfs.path values;
 * --kafka-brokers (default $RXFLUME_KAFKA_BROKERS) replaces the brokers in the file.
 * `${VAR}` references in the file are kept in the YAML (reported) and read when it is loaded, so
 * the check here does not substitute them.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ConfigError } from '../config/issues.js';
import { configFromObject } from '../config/load.js';
import { importFlumeConfig } from '../flume/import.js';
import { describeInFlumeTerms } from '../flume/origins.js';
import { renderImportedYaml } from '../flume/render-yaml.js';
import { formatImportIssue } from '../flume/report.js';

interface ImportFlumeOptions {
  agent?: string;
  hdfsUrl?: string;
  kafkaBrokers?: string;
}

export function registerImportFlume(program: Command): void {
  program
    .command('import-flume')
    .description('convert a Flume agent config (Java properties) to rxflume YAML on stdout')
    .argument('<file>', 'Flume agent config (.conf / .properties)')
    .option('--agent <name>', 'the agent to import when the file holds several')
    .option(
      '--hdfs-url <url>',
      'filesystem for bare hdfs.path values: webhdfs://nn:9870, hdfs://nn:8020, file:///folder (default $RXFLUME_HDFS_URL, else ./data/hdfs)',
    )
    .option('--kafka-brokers <list>', "Kafka brokers host:port,… replacing the file's (default $RXFLUME_KAFKA_BROKERS)")
    .action(async (file: string, opts: ImportFlumeOptions) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        process.stderr.write(`rxflume import-flume: cannot read ${file}: ${(err as Error).message}\n`);
        process.exit(2);
      }
      const hdfsUrl = opts.hdfsUrl ?? process.env.RXFLUME_HDFS_URL;
      const kafkaBrokers = opts.kafkaBrokers ?? process.env.RXFLUME_KAFKA_BROKERS;
      const result = importFlumeConfig(text, {
        ...(opts.agent === undefined ? {} : { agent: opts.agent }),
        ...(hdfsUrl ? { hdfsUrl } : {}),
        ...(kafkaBrokers ? { kafkaBrokers } : {}),
      });
      for (const w of result.warnings) process.stderr.write(`warning: ${formatImportIssue(w)}\n`);
      let problems = result.errors.map(formatImportIssue);
      if (problems.length === 0) {
        try {
          configFromObject(result.config, file, process.env, { interpolate: false });
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          problems = err.problems.map((p) => describeInFlumeTerms(p, result.origins));
        }
      }
      if (problems.length > 0) {
        process.stderr.write(`cannot import ${file}:\n${problems.map((p) => `  error: ${p}\n`).join('')}`);
        process.exit(2);
      }
      process.stdout.write(renderImportedYaml(result, file));
    });
}
