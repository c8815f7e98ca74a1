/**
 * Where an `hdfs.path` writes, as rxflume hdfs-sink options (`url` or `root`, and `path`).
 *
 *   webhdfs://host:port/dir, swebhdfs://…  → WebHDFS at host:port, path /dir (as in Hadoop)
 *   hdfs://host[:port]/dir                 → WebHDFS at host:9870 (the Hadoop 3 namenode HTTP
 *                                            port; the RPC port in the URI is not HTTP), warned
 *   file:///dir                            → the local layout: root '/', path /dir
 *   /dir (bare)                            → the default filesystem: `hdfsUrl` (--hdfs-url or
 *                                            RXFLUME_HDFS_URL) or, without one, the local layout
 *                                            under ./data/hdfs (warned)
 *   dir (relative)                         → refused: Flume resolves it under the HDFS user's
 *                                            home folder, which the import cannot know
 * `hdfsUrl` itself may be any of the URL forms above (its path is a root folder for file:) or a
 * plain folder.
 */

/** The Hadoop 3 namenode HTTP (WebHDFS) port, used for hdfs:// URIs. */
export const WEBHDFS_DEFAULT_PORT = 9870;
/** The local layout folder for bare paths when no default filesystem is given. */
export const DEFAULT_LOCAL_ROOT = './data/hdfs';

export interface HdfsLocation {
  readonly url?: string;
  readonly root?: string;
  readonly path: string;
  readonly notes: readonly string[];
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/]*)(\/.*)?$/;

/** Splits `scheme://authority/path`; the path keeps Flume escapes such as %{logType} intact. */
function splitUri(value: string): { scheme: string; authority: string; path: string } | undefined {
  const m = SCHEME.exec(value);
  if (!m) return undefined;
  return { scheme: (m[1] as string).toLowerCase(), authority: m[2] as string, path: m[3] ?? '/' };
}

function webhdfsFromHdfs(authority: string, notes: string[]): string {
  const host = authority.replace(/:\d+$/, '');
  notes.push(
    `hdfs://${authority} is the namenode RPC address; rxflume writes over WebHDFS at webhdfs://${host}:${WEBHDFS_DEFAULT_PORT} (the Hadoop 3 namenode HTTP port): change url if yours differs`,
  );
  return `webhdfs://${host}:${WEBHDFS_DEFAULT_PORT}`;
}

/** The default filesystem for bare paths: `{ url }` or `{ root }`, or a problem. */
function defaultFs(hdfsUrl: string | undefined, notes: string[]): { url?: string; root?: string } | { problem: string } {
  if (hdfsUrl === undefined || hdfsUrl === '') {
    notes.push(
      `a bare hdfs.path goes to the local layout under ${DEFAULT_LOCAL_ROOT}; for a cluster pass --hdfs-url webhdfs://namenode:9870 (or set RXFLUME_HDFS_URL)`,
    );
    return { root: DEFAULT_LOCAL_ROOT };
  }
  const uri = splitUri(hdfsUrl);
  if (!uri) return { root: hdfsUrl };
  if (uri.scheme === 'file') return { root: decodeURIComponent(uri.path) };
  if (uri.path !== '/' && uri.path !== '')
    return { problem: `default filesystem ${hdfsUrl} must have no path (e.g. webhdfs://namenode:9870)` };
  if (uri.scheme === 'hdfs') return { url: webhdfsFromHdfs(uri.authority, notes) };
  if (['webhdfs', 'swebhdfs', 'http', 'https'].includes(uri.scheme)) return { url: `${uri.scheme}://${uri.authority}` };
  return { problem: `default filesystem ${hdfsUrl}: unsupported scheme ${uri.scheme}: (webhdfs, swebhdfs, hdfs, file)` };
}

export function resolveHdfsPath(value: string, hdfsUrl: string | undefined): HdfsLocation | { problem: string } {
  const notes: string[] = [];
  const uri = splitUri(value);
  if (!uri) {
    if (!value.startsWith('/') && !value.startsWith('%'))
      return {
        problem: `"${value}" is relative: Flume writes it under the HDFS user's home folder (/user/NAME/…); write the full path`,
      };
    const fs = defaultFs(hdfsUrl, notes);
    if ('problem' in fs) return fs;
    return { ...fs, path: value, notes };
  }
  switch (uri.scheme) {
    case 'file':
      return { root: '/', path: uri.path, notes };
    case 'hdfs':
      return { url: webhdfsFromHdfs(uri.authority, notes), path: uri.path, notes };
    case 'webhdfs':
    case 'swebhdfs':
      return { url: `${uri.scheme}://${uri.authority}`, path: uri.path, notes };
    default:
      return { problem: `unsupported filesystem ${uri.scheme}:// (webhdfs, swebhdfs, hdfs, file, or a bare path)` };
  }
}
