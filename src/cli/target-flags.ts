/**
 * `--hdfs-url` and `--kafka-brokers` for commands that load a config (`run`, `validate`): they set
 * RXFLUME_HDFS_URL / RXFLUME_KAFKA_BROKERS for the config's loading only, so one pair of names
 * works for every config kind — config/smartcar.yaml reads those variables (`${…:-default}`), and
 * an imported Flume file takes them as the filesystem of bare hdfs.path values and as its Kafka
 * brokers (see src/config/load.ts). A flag wins over the variable already in the environment.
 */
import type { Command } from 'commander';

export interface TargetFlags {
  readonly hdfsUrl?: string;
  readonly kafkaBrokers?: string;
}

export function addTargetFlags(command: Command): Command {
  return command
    .option('--hdfs-url <url>', 'HDFS for the config: sets RXFLUME_HDFS_URL (webhdfs://nn:9870, or file: for the local layout)')
    .option('--kafka-brokers <list>', 'Kafka brokers host:port,… for the config: sets RXFLUME_KAFKA_BROKERS');
}

/** The environment the config is loaded with: the process's, with the flags applied. */
export function configEnv(flags: TargetFlags, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    ...(flags.hdfsUrl === undefined ? {} : { RXFLUME_HDFS_URL: flags.hdfsUrl }),
    ...(flags.kafkaBrokers === undefined ? {} : { RXFLUME_KAFKA_BROKERS: flags.kafkaBrokers }),
  };
}
