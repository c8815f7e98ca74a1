/**
 * WebHDFS failures as classified RxfErrors.
 *
 * A reply with an error status carries `{"RemoteException":{"exception","javaClassName","message"}}`.
 * Hadoop maps most IOExceptions to 403 (StandbyException and SafeModeException included), so the
 * class is decided by the exception name first and by the status only when the name is unknown:
 *   retriable: StandbyException, RetriableException, SafeModeException, lease/recovery conflicts
 *              (a previous write still holds the file), a plain IOException and its network
 *              subclasses (Hadoop's catch-all for datanode pipeline and replication failures, e.g.
 *              "All datanodes are bad", "could only be written to 0 of the 1 minReplication
 *              nodes": sent as 403, yet they pass), any 5xx, 408, 429, and network failures
 *              (refused, reset, DNS, timeouts, a reply cut short);
 *   permanent: AccessControlException, FileNotFoundException, FileAlreadyExistsException, quota
 *              exceeded, bad arguments and any other 4xx; the remote message is kept.
 * `failover` marks what makes the client try the next namenode: no connection, a dropped
 * connection, no reply within the request timeout (a hung namenode), or a standby namenode.
 */
import { ErrorCodes, RxfError } from '../../../core/errors.js';

export interface RemoteExceptionBody {
  readonly exception: string;
  readonly javaClassName?: string;
  readonly message?: string;
}

const RETRIABLE_EXCEPTIONS = new Set([
  'StandbyException',
  'RetriableException',
  'SafeModeException',
  'ObserverRetryOnActiveException',
  'RecoveryInProgressException',
  'AlreadyBeingCreatedException',
  'LeaseExpiredException',
  'NotReplicatedYetException',
  'SocketTimeoutException',
  'ConnectTimeoutException',
  'IOException',
  'EOFException',
  'InterruptedIOException',
  'ConnectException',
  'SocketException',
  'NoRouteToHostException',
  'ClosedChannelException',
]);

/** Network error codes (undici's and Node's) that mean the namenode could not be reached or dropped us. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

export class WebHdfsError extends RxfError {
  /** HTTP status of the reply, 0 when no reply came. */
  readonly status: number;
  /** Remote exception name (e.g. `StandbyException`), or the network error code. */
  readonly exception: string;
  /** True when the next namenode should be tried. */
  readonly failover: boolean;

  constructor(message: string, opts: { status: number; exception: string; retriable: boolean; failover?: boolean; cause?: unknown }) {
    super(opts.retriable ? ErrorCodes.SINK_TRANSIENT : ErrorCodes.SINK_PERMANENT, message, {
      retriable: opts.retriable,
      cause: opts.cause,
    });
    this.name = 'WebHdfsError';
    this.status = opts.status;
    this.exception = opts.exception;
    this.failover = opts.failover ?? false;
  }
}

export function isRetriableRemote(status: number, exception: string): boolean {
  if (RETRIABLE_EXCEPTIONS.has(exception)) return true;
  if (exception.endsWith('QuotaExceededException')) return false;
  return status >= 500 || status === 408 || status === 429;
}

/** The RemoteException of an error reply (or a stand-in built from the status and raw text). */
export function parseRemoteException(status: number, text: string): RemoteExceptionBody {
  try {
    const parsed = JSON.parse(text) as { RemoteException?: RemoteExceptionBody };
    if (parsed.RemoteException && typeof parsed.RemoteException.exception === 'string') return parsed.RemoteException;
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): fall through to the status.
  }
  return { exception: `HTTP${status}`, message: text.slice(0, 200) || `HTTP status ${status}` };
}

export function remoteError(op: string, path: string, status: number, body: RemoteExceptionBody): WebHdfsError {
  const retriable = isRetriableRemote(status, body.exception);
  return new WebHdfsError(`WebHDFS ${op} ${path}: ${body.exception}: ${body.message ?? ''} (HTTP ${status})`, {
    status,
    exception: body.exception,
    retriable,
    failover: body.exception === 'StandbyException',
  });
}

/** A fetch failure (no reply): always retriable; a connection failure also means failover. */
export function networkError(op: string, url: string, err: unknown): WebHdfsError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    // A hung namenode is as gone as a refused one: without failover every retry would wait on it.
    return new WebHdfsError(`WebHDFS ${op} ${url}: no reply within the request timeout`, {
      status: 0,
      exception: 'ETIMEDOUT',
      retriable: true,
      failover: true,
      cause: err,
    });
  }
  const code = e.cause?.code ?? 'ENETWORK';
  const detail = e.cause?.message ?? e.message ?? String(err);
  return new WebHdfsError(`WebHDFS ${op} ${url}: ${code}: ${detail}`, {
    status: 0,
    exception: code,
    retriable: true,
    failover: CONNECTION_CODES.has(code),
    cause: err,
  });
}
