/**
 * What every mapper shares: the report, the origin of each produced option (so a validation
 * problem on `sinks.k1.acks` can be told as the Flume key and line it came from), the import
 * options, and typed readers of Flume values that report a bad value with its key and line.
 *
 * Flume reads numbers with Integer/Long.parseLong (after trimming) and booleans with
 * Boolean.parseBoolean (anything but "true" is false); here anything but true/false is an error,
 * since a typo silently meaning false is how data goes missing.
 */
import type { FlumeComponent } from './agent-model.js';
import type { ImportReport } from './report.js';

export interface FlumeImportOptions {
  /** Agent to import when the file holds several. */
  readonly agent?: string;
  /**
   * Default filesystem for bare `hdfs.path` values (Hadoop's fs.defaultFS): `webhdfs://nn:9870`,
   * `hdfs://nn:8020` (→ WebHDFS on 9870), `file:///folder` or a plain folder. Default: the local
   * layout under `./data/hdfs`.
   */
  readonly hdfsUrl?: string;
  /** Replaces the brokers of every Kafka sink (comma-separated host:port). */
  readonly kafkaBrokers?: string;
}

export interface Origin {
  readonly key: string;
  readonly line: number;
}

export type RawSection = Record<string, unknown>;

export class MappingContext {
  /** Config path (`sinks.k1.acks`) → the Flume property it came from. */
  readonly origins = new Map<string, Origin>();

  constructor(
    readonly report: ImportReport,
    readonly options: FlumeImportOptions,
  ) {}

  /** Sets `target[field]` from the component's `sub` property, remembering where it came from. */
  put(target: RawSection, path: string, field: string, value: unknown, from: FlumeComponent, sub: string): void {
    target[field] = value;
    this.origins.set(`${path}.${field}`, from.at(sub));
  }

  int(c: FlumeComponent, sub: string, min = 0): number | undefined {
    const raw = c.value(sub);
    if (raw === undefined) return undefined;
    if (!/^[+-]?\d+$/.test(raw)) {
      this.report.error(c.at(sub), `"${raw}" is not a whole number`);
      return undefined;
    }
    const n = Number(raw);
    if (n < min) {
      this.report.error(c.at(sub), `must be ${min} or more`);
      return undefined;
    }
    return n;
  }

  bool(c: FlumeComponent, sub: string): boolean | undefined {
    const raw = c.value(sub);
    if (raw === undefined) return undefined;
    const lower = raw.toLowerCase();
    if (lower === 'true' || lower === 'false') return lower === 'true';
    this.report.error(c.at(sub), `"${raw}" is not true or false`);
    return undefined;
  }

  /** Reads a property that needs no option here: a warning saying why, so it is never silent. */
  harmless(c: FlumeComponent, sub: string, why: string): void {
    if (c.entry(sub)) this.report.warn(c.at(sub), why);
  }

  /** Reads a property rxflume cannot honour: an error saying why. */
  unsupported(c: FlumeComponent, sub: string, why: string): void {
    if (c.entry(sub)) this.report.error(c.at(sub), why);
  }
}

/** Flume component types are case-insensitive aliases or class names; this gives the alias. */
export function typeAlias(type: string, classes: Readonly<Record<string, string>>): string {
  return classes[type] ?? type.toLowerCase();
}
