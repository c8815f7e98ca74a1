/**
 * The emulated HDFS namespace: HDFS paths mapped onto a local folder, with HDFS's semantics for
 * the operations WebHDFS exposes, and leases.
 *
 * Semantics kept (Hadoop 3 behaviour): CREATE creates missing parents and fails with
 * FileAlreadyExistsException when overwrite=false and the path exists; APPEND/TRUNCATE need an
 * existing file; TRUNCATE to a larger length is an IllegalArgumentException; RENAME answers false
 * when the source is missing, the destination exists or its parent is missing; DELETE answers
 * false for a missing path; MKDIRS answers true for an existing folder. A file being written by a
 * datanode request holds a lease: APPEND and TRUNCATE on it fail with AlreadyBeingCreatedException
 * (retriable), as in HDFS, so a late write can never interleave with a retry. As in HDFS, a write
 * goes to the file (inode) it opened: renamed meanwhile, its bytes land under the new name.
 *
 * Errors are `RemoteError`s with the status and exception Hadoop's ExceptionHandler would send.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

const JAVA_CLASSES: Record<string, string> = {
  FileNotFoundException: 'java.io.FileNotFoundException',
  FileAlreadyExistsException: 'org.apache.hadoop.fs.FileAlreadyExistsException',
  AlreadyBeingCreatedException: 'org.apache.hadoop.hdfs.protocol.AlreadyBeingCreatedException',
  IllegalArgumentException: 'java.lang.IllegalArgumentException',
  StandbyException: 'org.apache.hadoop.ipc.StandbyException',
  RetriableException: 'org.apache.hadoop.ipc.RetriableException',
  SafeModeException: 'org.apache.hadoop.hdfs.server.namenode.SafeModeException',
  AccessControlException: 'org.apache.hadoop.security.AccessControlException',
  ParentNotDirectoryException: 'org.apache.hadoop.fs.ParentNotDirectoryException',
  DSQuotaExceededException: 'org.apache.hadoop.hdfs.protocol.DSQuotaExceededException',
  IOException: 'java.io.IOException',
};

export class RemoteError extends Error {
  constructor(
    readonly status: number,
    readonly exception: string,
    message: string,
  ) {
    super(message);
  }

  body(): string {
    return JSON.stringify({
      RemoteException: {
        exception: this.exception,
        javaClassName: JAVA_CLASSES[this.exception] ?? 'java.io.IOException',
        message: this.message,
      },
    });
  }
}

const notFound = (path: string) => new RemoteError(404, 'FileNotFoundException', `File does not exist: ${path}`);

export interface FileStatusJson {
  accessTime: number;
  blockSize: number;
  childrenNum: number;
  fileId: number;
  group: string;
  length: number;
  modificationTime: number;
  owner: string;
  pathSuffix: string;
  permission: string;
  replication: number;
  storagePolicy: number;
  type: 'FILE' | 'DIRECTORY';
}

export class EmulatedNamespace {
  private readonly leases = new Map<string, number>();

  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  /** The local file of an HDFS path (never outside the root). */
  local(path: string): string {
    return join(this.root, posix.normalize(`/${path}`));
  }

  private stat(path: string) {
    try {
      return statSync(this.local(path));
    } catch {
      return undefined;
    }
  }

  status(path: string, suffix = ''): FileStatusJson {
    const st = this.stat(path);
    if (!st) throw notFound(path);
    const dir = st.isDirectory();
    return {
      accessTime: dir ? 0 : Math.floor(st.atimeMs),
      blockSize: dir ? 0 : 134217728,
      childrenNum: dir ? readdirSync(this.local(path)).length : 0,
      fileId: st.ino,
      group: 'supergroup',
      length: dir ? 0 : st.size,
      modificationTime: Math.floor(st.mtimeMs),
      owner: 'hdfs',
      pathSuffix: suffix,
      permission: dir ? '755' : '644',
      replication: dir ? 0 : 3,
      storagePolicy: 0,
      type: dir ? 'DIRECTORY' : 'FILE',
    };
  }

  list(path: string): FileStatusJson[] {
    const st = this.stat(path);
    if (!st) throw notFound(path);
    if (!st.isDirectory()) return [this.status(path)];
    return readdirSync(this.local(path))
      .sort()
      .map((name) => this.status(posix.join(path, name), name));
  }

  mkdirs(path: string): boolean {
    const st = this.stat(path);
    if (st && !st.isDirectory()) throw new RemoteError(403, 'FileAlreadyExistsException', `Path is not a directory: ${path}`);
    this.makeParents(`${path}/x`);
    return true;
  }

  private makeParents(path: string): void {
    for (let dir = posix.dirname(posix.normalize(`/${path}`)); dir !== '/'; dir = posix.dirname(dir)) {
      const st = this.stat(dir);
      if (st && !st.isDirectory()) throw new RemoteError(403, 'ParentNotDirectoryException', `Parent path is not a directory: ${dir}`);
    }
    mkdirSync(dirname(this.local(path)), { recursive: true });
  }

  /**
   * Opens `path` for a datanode write (CREATE makes it, empty, at once) and takes its lease;
   * the writer's `close` releases it.
   */
  openForWrite(path: string, op: 'CREATE' | 'APPEND', overwrite: boolean): { write(data: Buffer): void; close(): void } {
    if (op === 'CREATE') {
      this.checkCreate(path, overwrite);
      this.makeParents(path);
    } else {
      this.checkAppend(path);
    }
    const fd = openSync(this.local(path), op === 'CREATE' ? 'w' : 'a');
    const release = this.lease(path);
    return {
      write: (data) => {
        let off = 0;
        while (off < data.length) off += writeSync(fd, data, off);
      },
      close: () => {
        closeSync(fd);
        release();
      },
    };
  }

  private checkCreate(path: string, overwrite: boolean): void {
    const st = this.stat(path);
    if (st?.isDirectory()) throw new RemoteError(403, 'FileAlreadyExistsException', `${path} already exists as a directory`);
    if (st && !overwrite) throw new RemoteError(403, 'FileAlreadyExistsException', `${path} for client 127.0.0.1 already exists`);
    if (st && this.leased(path)) throw this.leaseConflict('CREATE_FILE', path);
  }

  private checkAppend(path: string): void {
    const st = this.stat(path);
    if (!st || st.isDirectory()) throw notFound(path);
    if (this.leased(path)) throw this.leaseConflict('APPEND_FILE', path);
  }

  truncate(path: string, newLength: number): boolean {
    const st = this.stat(path);
    if (!st || st.isDirectory()) throw notFound(path);
    if (this.leased(path)) throw this.leaseConflict('TRUNCATE_FILE', path);
    if (newLength > st.size) {
      throw new RemoteError(
        400,
        'IllegalArgumentException',
        `Cannot truncate to a larger file size. Current size: ${st.size}, truncate size: ${newLength}.`,
      );
    }
    truncateSync(this.local(path), newLength);
    return true;
  }

  rename(path: string, destination: string): boolean {
    if (!this.stat(path) || this.stat(destination) || !this.stat(posix.dirname(destination))?.isDirectory()) return false;
    renameSync(this.local(path), this.local(destination));
    return true;
  }

  delete(path: string, recursive: boolean): boolean {
    const st = this.stat(path);
    if (!st) return false;
    if (st.isDirectory() && !recursive && readdirSync(this.local(path)).length > 0) {
      throw new RemoteError(403, 'PathIsNotEmptyDirectoryException', `${path} is non empty': Directory is not empty`);
    }
    rmSync(this.local(path), { recursive: true, force: true });
    return true;
  }

  read(path: string): Buffer {
    const st = this.stat(path);
    if (!st || st.isDirectory()) throw notFound(path);
    return readFileSync(this.local(path));
  }

  private lease(path: string): () => void {
    const key = posix.normalize(`/${path}`);
    this.leases.set(key, (this.leases.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.leases.get(key) ?? 1) - 1;
      if (n <= 0) this.leases.delete(key);
      else this.leases.set(key, n);
    };
  }

  private leased(path: string): boolean {
    return this.leases.has(posix.normalize(`/${path}`));
  }

  private leaseConflict(what: string, path: string): RemoteError {
    return new RemoteError(
      403,
      'AlreadyBeingCreatedException',
      `Failed to ${what} ${path} for DFSClient_NONMAPREDUCE_1 on 127.0.0.1 because this file lease is currently owned by DFSClient_NONMAPREDUCE_2`,
    );
  }
}
