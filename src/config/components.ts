/**
 * The component types a config may name. Adding a type = adding one registration here.
 */
import type { ComponentRegistration, Sink, Source, SourceContext } from '../core/component.js';
import { loggerSink } from '../flume/logger-sink.js';
import { hdfsSink } from '../sinks/hdfs/index.js';
import { kafkaSink } from '../sinks/kafka/index.js';
import { spooldirSource } from '../sources/spooldir/index.js';
import { tailSource } from '../sources/tail/index.js';

// biome-ignore lint/suspicious/noExplicitAny: registrations are heterogeneous; each validates its own config
export type AnySourceRegistration = ComponentRegistration<any, Source, SourceContext>;
// biome-ignore lint/suspicious/noExplicitAny: as above
export type AnySinkRegistration = ComponentRegistration<any, Sink>;

export const sourceTypes: Readonly<Record<string, AnySourceRegistration>> = {
  spooldir: spooldirSource,
  tail: tailSource,
};

export const sinkTypes: Readonly<Record<string, AnySinkRegistration>> = {
  hdfs: hdfsSink,
  kafka: kafkaSink,
  logger: loggerSink,
};
