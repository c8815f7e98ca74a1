/**
 * The filesystem operations the HDFS sink needs, so the roller, path templates and formats are
 * shared by every backend (the local filesystem now, WebHDFS later).
 *
 * Paths are HDFS-style absolute POSIX paths ('/pilot-pjt/collect/...'); a backend maps them onto
 * its store and must never let a path (whose parts may come from event headers) escape its root.
 *
 * Contract a backend must keep:
 * - `create` makes a NEW empty file and fails with errno-style code 'EEXIST' when the path exists
 *   (the sink picks another counter); the file's directory entry is durable when it resolves.
 * - `OutputFile.append` writes at the current end; `sync` makes everything appended durable
 *   (local: fdatasync; WebHDFS: the APPEND request completing); `truncate` cuts the file,
 *   moves the write position to the new end, and is durable when it resolves (it runs before a
 *   rename publishes the file, which must never come back longer after a crash).
 * - `rename` never leaves the file visible under both names once it resolves and is durable
 *   when it resolves (local: rename + fsync of the directory).
 * - Errors are thrown as errno-carrying errors (or RxfError) so `asRxfError` can classify them.
 */

export interface OutputFile {
  readonly path: string;
  append(data: Buffer): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface HdfsBackend {
  /** Human description for logs, e.g. `local:/data/hdfs`. */
  readonly description: string;
  mkdirs(dir: string): Promise<void>;
  create(path: string): Promise<OutputFile>;
  /** File length, or undefined when the path does not exist. */
  size(path: string): Promise<number | undefined>;
  /** Names (not paths) of the entries of `dir`; [] when it does not exist. */
  list(dir: string): Promise<string[]>;
  truncate(path: string, length: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Deletes a file; a missing file is not an error. */
  delete(path: string): Promise<void>;
}
